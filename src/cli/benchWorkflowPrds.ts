/**
 * The workflow benchmark's PRDs: generated, deterministic, English and Korean. The simulator's
 * Architect makes one task per `##` section, makes every non-follower task depend on T1, and adds
 * an edge when a section's body mentions an earlier section's title — so the shape of each plan's
 * DAG is chosen here by which titles a body mentions:
 *  - wide:  features mention nothing (all hang off T1, run in parallel);
 *  - deep:  each feature mentions the previous one (one long chain);
 *  - mixed: each feature mentions the one three before it (three interleaved chains).
 * Every sixth section is a follower (unit tests, documentation or a code review of the feature
 * before it), so the router sees the task types a real plan has.
 *
 * The plans share files the way real ones do, so integrating siblings means real three-way
 * merges: the first section (T1, project setup) creates the entry module `src/<plan>/index.ts`,
 * `package.json`, the shared types `src/<plan>/types.ts` and `README.md`; every feature registers
 * in the entry module, every third adds its record types to the shared types, every fourth adds a
 * script to `package.json` (unit tests add theirs too), and documentation links from the README.
 * The Architect adds the same shared files by its own rules, so the PRD and the plan agree.
 */

export type PlanShape = 'wide' | 'deep' | 'mixed';
export type PrdLanguage = 'en' | 'ko';

export interface PlanSpec {
  readonly name: string;
  readonly lang: PrdLanguage;
  readonly shape: PlanShape;
  /** Number of `##` sections = number of tasks. */
  readonly sections: number;
}

/** The default workload: 12 plans, 5–40 tasks, 266 tasks in all. */
export const DEFAULT_PLAN_SPECS: readonly PlanSpec[] = [
  { name: 'p01', lang: 'en', shape: 'wide', sections: 12 },
  { name: 'p02', lang: 'ko', shape: 'deep', sections: 10 },
  { name: 'p03', lang: 'en', shape: 'mixed', sections: 8 },
  { name: 'p04', lang: 'ko', shape: 'wide', sections: 40 },
  { name: 'p05', lang: 'en', shape: 'deep', sections: 40 },
  { name: 'p06', lang: 'ko', shape: 'mixed', sections: 24 },
  { name: 'p07', lang: 'en', shape: 'wide', sections: 30 },
  { name: 'p08', lang: 'ko', shape: 'deep', sections: 18 },
  { name: 'p09', lang: 'en', shape: 'mixed', sections: 36 },
  { name: 'p10', lang: 'ko', shape: 'wide', sections: 5 },
  { name: 'p11', lang: 'en', shape: 'deep', sections: 15 },
  { name: 'p12', lang: 'ko', shape: 'mixed', sections: 28 },
];

/** The first `count` specs of the default workload, cycled (with new names) past 12. */
export function planSpecs(count: number): PlanSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const base = DEFAULT_PLAN_SPECS[i % DEFAULT_PLAN_SPECS.length]!;
    return { ...base, name: `p${String(i + 1).padStart(2, '0')}` };
  });
}

// Nouns and roles are free of the Architect's type keywords (test, design, plan, doc, setup, fix…),
// and no title is a substring of another, so only the intended mentions become edges.
const NOUNS: readonly (readonly [slug: string, en: string, ko: string])[] = [
  ['ledger', 'Ledger', '원장'], ['invoice', 'Invoice', '청구서'], ['catalog', 'Catalog', '상품 목록'],
  ['inventory', 'Inventory', '재고'], ['checkout', 'Checkout', '주문 흐름'], ['shipping', 'Shipping', '배송'],
  ['account', 'Account', '계정'], ['session', 'Session', '세션'], ['search', 'Search', '검색'],
  ['webhook', 'Webhook', '웹훅'], ['quota', 'Quota', '사용량 한도'], ['calendar', 'Calendar', '일정'],
];
const ROLES: readonly (readonly [slug: string, en: string, ko: string])[] = [
  ['engine', 'engine', '엔진'], ['store', 'store', '저장소'], ['service', 'service', '서비스'], ['view', 'view', '화면'],
];

const FILLER: Readonly<Record<PrdLanguage, string>> = {
  en: 'The system must handle this reliably for teams of up to 500 people, with clear errors and no data loss. ',
  ko: '이 기능은 최대 500명 규모의 팀에서 안정적으로 동작해야 하며, 명확한 오류 메시지와 데이터 손실 방지를 보장해야 합니다. ',
};

interface Feature {
  readonly title: string;
  readonly file: string;
  readonly slug: string;
}

/** A small deterministic generator (LCG), so the same seed gives the same PRDs. */
function lcg(seed: number): () => number {
  let s = (Math.abs(Math.floor(seed)) % 2 ** 31) || 1;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function section(title: string, lines: readonly string[]): string {
  return [`## ${title}`, '', ...lines, ''].join('\n');
}

/** One PRD in markdown for a spec; `seed` varies section lengths (and so the tasks' sizes). */
export function makeWorkflowPrd(spec: PlanSpec, seed: number): string {
  const rand = lcg(seed * 7_919 + spec.sections * 31 + spec.name.length);
  const en = spec.lang === 'en';
  const dir = spec.name;
  const filler = () => FILLER[spec.lang].repeat(1 + Math.floor(rand() * 4)).trim();
  const out: string[] = [en ? `# Product requirements: ${dir} service` : `# 제품 요구사항: ${dir} 서비스`, ''];

  out.push(section(en ? 'Project setup' : '프로젝트 초기 설정', [
    filler(),
    en ? `- Create the entry point \`src/${dir}/index.ts\`, where every module registers.` : `- 모든 모듈이 등록되는 진입점 \`src/${dir}/index.ts\`를 만듭니다.`,
    en ? `- Create \`package.json\` with the build, test and lint scripts.` : `- 빌드, 테스트, 린트 명령을 담은 \`package.json\`을 만듭니다.`,
    en ? `- Put the shared record types in \`src/${dir}/types.ts\` and the overview in \`README.md\`.` : `- 공용 레코드 타입은 \`src/${dir}/types.ts\`에, 개요는 \`README.md\`에 둡니다.`,
  ]));
  if (spec.sections > 1) {
    out.push(section(en ? 'Architecture and module design' : '시스템 아키텍처 설계', [
      filler(), en ? `- Describe the modules and their boundaries in \`docs/${dir}/architecture.md\`.` : `- 모듈 구성과 경계를 \`docs/${dir}/architecture.md\`에 정리합니다.`,
    ]));
  }
  const features: Feature[] = [];
  const stride = spec.shape === 'deep' ? 1 : spec.shape === 'mixed' ? 3 : 0;
  let followers = 0;
  for (let i = 2; i < spec.sections; i++) {
    const last = features[features.length - 1];
    if (last && (i - 1) % 6 === 0) {
      out.push(follower(spec, last, followers++, filler()));
      continue;
    }
    const k = features.length;
    const noun = NOUNS[k % NOUNS.length]!;
    const role = ROLES[Math.floor(k / NOUNS.length) % ROLES.length]!;
    const slug = `${noun[0]}-${role[0]}`;
    const feature: Feature = { title: en ? `${noun[1]} ${role[1]}` : `${noun[2]} ${role[2]}`, file: `src/${dir}/${slug}.ts`, slug };
    const lines = [
      filler(),
      en ? `- Implement it in \`${feature.file}\` and register it in \`src/${dir}/index.ts\`.` : `- \`${feature.file}\`에 구현하고 \`src/${dir}/index.ts\`에 등록합니다.`,
    ];
    if (k % 3 === 1) lines.push(en ? `- Its record types go in \`src/${dir}/types.ts\`.` : `- 레코드 타입은 \`src/${dir}/types.ts\`에 추가합니다.`);
    if (k % 4 === 2) lines.push(en ? `- Add a \`${dir}:${slug}\` script to \`package.json\`.` : `- \`package.json\`에 \`${dir}:${slug}\` 스크립트를 추가합니다.`);
    const before = stride > 0 ? features[k - stride] : undefined;
    if (before) {
      lines.push(en ? `- It builds on the ${before.title} and registers itself in \`${before.file}\`.` : `- 이 기능은 ${before.title} 위에 구축되며 \`${before.file}\`에 등록됩니다.`);
    }
    features.push(feature);
    out.push(section(feature.title, lines));
  }
  return out.join('\n');
}

/** Unit tests, documentation or a code review of the feature just before (round robin). */
function follower(spec: PlanSpec, of: Feature, n: number, filler: string): string {
  const en = spec.lang === 'en';
  const kind = n % 3;
  if (kind === 0) {
    const file = `test/${spec.name}/${of.slug}.test.ts`;
    return section(en ? `Unit tests for the ${of.title}` : `${of.title} 단위 테스트`, [
      filler, en ? `- Cover it in \`${file}\` and run it from a script in \`package.json\`.` : `- \`${file}\`에서 검증하고 \`package.json\` 스크립트로 실행합니다.`,
    ]);
  }
  if (kind === 1) {
    const file = `docs/${spec.name}/${of.slug}.md`;
    return section(en ? `Documentation for the ${of.title}` : `${of.title} 사용자 문서`, [
      filler, en ? `- Write \`${file}\` and link it from \`README.md\`.` : `- \`${file}\`를 작성하고 \`README.md\`에서 연결합니다.`,
    ]);
  }
  return section(en ? `Code review of the ${of.title}` : `${of.title} 코드 리뷰`, [filler, en ? `- Tighten \`${of.file}\` where needed.` : `- 필요한 곳에서 \`${of.file}\`를 다듬습니다.`]);
}
