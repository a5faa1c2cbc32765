import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The README is one page for a new user (issue 25): what it is, the two commands, a tour, links.
// The rest lives in docs/. CI (.ci/run) runs the README's test command, so it must stay there.

const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
const MAX_LINES = 200;

describe('README.md', () => {
  it(`stays one page: at most ${MAX_LINES} lines (put the rest in docs/ and link it)`, () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(MAX_LINES);
  });

  it('gives the run command and the test command (.ci/run runs `npm test`)', () => {
    expect(readme).toContain('```sh\nnpm ci\nnpm start\n```');
    expect(readme).toContain('```sh\nnpm ci\nnpm test\n```');
  });
});
