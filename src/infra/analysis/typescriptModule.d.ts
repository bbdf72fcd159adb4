// TypeScript alone, the copy ts-morph bundles (one version for every scanner and for core's
// comment stripper, which takes ts-morph's `ts` type): importing `ts` from 'ts-morph' would also
// load ts-morph itself and @ts-morph/common, 3.5 MB the scanners never use.
declare module '@ts-morph/common/dist/typescript.js' {
  import { ts } from '@ts-morph/common';
  export = ts;
}
