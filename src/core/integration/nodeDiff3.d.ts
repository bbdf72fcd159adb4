// node-diff3 declares its types only through `exports`, which this project's `node` module
// resolution does not read; the same declarations, by their file path, for the type checker.
declare module 'node-diff3' {
  export * from 'node-diff3/src/diff3';
}
