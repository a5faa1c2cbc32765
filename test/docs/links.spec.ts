import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

// Every relative link in README.md and docs/*.md leads somewhere: the file exists and, for a link
// to a heading (#anchor) of a Markdown page, that page has the heading (GitHub's anchors). A page
// moved or a heading renamed fails here, naming the file, the line and the link.

const ROOT = process.cwd();
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text without fenced code blocks and inline code, lines kept in place (for line numbers). */
function prose(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line.replace(/`[^`]*`/g, '``');
    })
    .join('\n');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const anchorsCache = new Map<string, Set<string>>();
function anchorsOf(file: string): Set<string> {
  let anchors = anchorsCache.get(file);
  if (anchors) return anchors;
  anchors = new Set();
  const seen = new Map<string, number>();
  const text = readFileSync(join(ROOT, file), 'utf8');
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const [, id] of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id!);
  }
  anchorsCache.set(file, anchors);
  return anchors;
}

interface Link {
  page: string;
  line: number;
  target: string;
}

function linksOf(page: string): Link[] {
  const links: Link[] = [];
  prose(readFileSync(join(ROOT, page), 'utf8'))
    .split('\n')
    .forEach((text, i) => {
      // [text](target) and ![alt](target); the text may hold one level of brackets.
      for (const [, target] of text.matchAll(/\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        links.push({ page, line: i + 1, target: target! });
      }
    });
  return links;
}

function problemOf({ page, target }: Link): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:: not ours to check
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? page : normalize(join(dirname(page), decodeURIComponent(path)));
  if (relative(ROOT, join(ROOT, file)).startsWith('..')) return `leads out of the repository`;
  if (!existsSync(join(ROOT, file))) return `${file} does not exist`;
  if (anchor === undefined || anchor === '' || !file.endsWith('.md')) return undefined;
  return anchorsOf(file).has(decodeURIComponent(anchor))
    ? undefined
    : `${file} has no heading with the anchor #${anchor}`;
}

describe('links in README.md and docs/*.md', () => {
  it('finds the pages and their links', () => {
    expect(PAGES).toContain('docs/CONFIGURATION.md');
    expect(PAGES.flatMap(linksOf).length).toBeGreaterThan(50);
  });

  it('every relative link leads to a file that exists, and every anchor to a heading of its page', () => {
    const broken = PAGES.flatMap(linksOf).flatMap((link) => {
      const problem = problemOf(link);
      return problem === undefined ? [] : [`${link.page}:${link.line}: (${link.target}): ${problem}`];
    });
    expect(broken).toEqual([]);
  });

  it("computes GitHub's anchors", () => {
    expect(slug("Never miss an event: reconciling with Square's Events API")).toBe(
      'never-miss-an-event-reconciling-with-squares-events-api',
    );
    expect(slug('What `ctx.sql` refuses')).toBe('what-ctxsql-refuses');
    expect(slug('Try it without Square: the webhook CLI')).toBe('try-it-without-square-the-webhook-cli');
  });
});
