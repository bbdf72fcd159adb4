/**
 * Builds realistic PRDs of a chosen size and language for tests: `sections` requirement sections
 * under `##` headings, each with a paragraph and bullets, padded to about `targetBytes`.
 */
const EN_TOPICS = ['Project setup', 'Data model', 'REST API', 'Authentication', 'Search', 'Notifications', 'Billing', 'Admin console', 'Audit log', 'Unit tests', 'Documentation', 'Performance'];
const KO_TOPICS = ['프로젝트 초기 설정', '데이터 모델', 'REST API 구현', '사용자 인증', '검색 기능', '알림 기능', '결제 처리', '관리자 콘솔', '감사 로그', '단위 테스트', '사용자 문서', '성능 최적화'];

export function makePrd(opts: { lang: 'en' | 'ko'; sections: number; targetBytes: number }): string {
  const topics = opts.lang === 'en' ? EN_TOPICS : KO_TOPICS;
  const title = opts.lang === 'en' ? '# Product requirements: Orbit task tracker' : '# 제품 요구사항: Orbit 작업 관리 서비스';
  const filler = opts.lang === 'en'
    ? 'The system must handle this reliably for teams of up to 500 people, with clear errors and no data loss. '
    : '이 기능은 최대 500명 규모의 팀에서 안정적으로 동작해야 하며, 명확한 오류 메시지와 데이터 손실 방지를 보장해야 합니다. ';
  const bodies = Array.from({ length: opts.sections }, (_, i) => {
    const topic = topics[i % topics.length]!;
    const heading = i < topics.length ? topic : `${topic} ${Math.floor(i / topics.length) + 1}`;
    const bullet = opts.lang === 'en' ? `- Implement ${topic.toLowerCase()} in \`src/module${i + 1}.ts\`.` : `- ${topic} 기능을 \`src/module${i + 1}.ts\`에 구현합니다.`;
    return { heading: `## ${heading}`, text: `${filler}\n${bullet}\n` };
  });
  const render = () => [title, '', ...bodies.flatMap((b) => [b.heading, '', b.text])].join('\n');
  let text = render();
  for (let i = 0; Buffer.byteLength(text) < opts.targetBytes; i = (i + 1) % bodies.length) {
    bodies[i]!.text += filler;
    text = render();
  }
  return text;
}
