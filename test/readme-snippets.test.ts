// Every ```ts block of the packages' READMEs compiles under the repository's strict settings, against the
// built packages: a snippet a user copies works as written, and a README that drifts from the API fails here.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKSPACE_DIRS = ['packages', 'examples'];

interface Snippet {
  readme: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** A virtual file beside the README, so its imports resolve from that package's own dependencies. */
  fileName: string;
}

function readmes(): string[] {
  const dirs = WORKSPACE_DIRS.flatMap((dir) => readdirSync(join(ROOT, dir)).map((name) => join(ROOT, dir, name)));
  return [join(ROOT, 'README.md'), ...dirs.map((dir) => join(dir, 'README.md'))].filter((path) => existsSync(path));
}

function snippetsOf(readme: string): Snippet[] {
  const lines = readFileSync(readme, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    const code = lines.slice(i + 1, end).join('\n');
    snippets.push({ readme, line: i + 1, code, fileName: join(dirname(readme), `README.snippet-${i + 1}.ts`) });
    i = end;
  }
  return snippets;
}

/** `@tuskit/x` and `@tuskit/x/sub` → the built declaration files their `exports` name. */
function workspacePaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const dir of WORKSPACE_DIRS.flatMap((d) => readdirSync(join(ROOT, d)).map((name) => join(ROOT, d, name)))) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; exports?: Record<string, unknown> };
    for (const [subpath, target] of Object.entries(exports ?? {})) {
      const types = typesOf(target);
      if (types) paths[join(name, subpath)] = [join(dir, types)];
    }
  }
  return paths;
}

function typesOf(target: unknown): string | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  const conditions = target as Record<string, unknown>;
  if (typeof conditions.types === 'string') return conditions.types;
  return typesOf(conditions.import);
}

const snippets = readmes().flatMap(snippetsOf);

describe('README snippets', () => {
  it('finds the snippets of the package READMEs', () => {
    expect(snippets.length).toBeGreaterThan(10);
  });

  it('compile under strict TypeScript against the built packages', { timeout: 120_000 }, () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      baseUrl: ROOT,
      paths: workspacePaths(),
    };
    const virtual = new Map(snippets.map((snippet) => [snippet.fileName, snippet]));
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.readFile = (name) => virtual.get(name)?.code ?? readFile(name);
    host.fileExists = (name) => virtual.has(name) || fileExists(name);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language) => {
      const snippet = virtual.get(name);
      return snippet ? ts.createSourceFile(name, snippet.code, language) : getSourceFile(name, language);
    };
    const program = ts.createProgram([...virtual.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file && virtual.has(diagnostic.file.fileName))
      .map((diagnostic) => {
        const snippet = virtual.get(diagnostic.file!.fileName)!;
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        const where = `${relative(ROOT, snippet.readme)}:${snippet.line + 1 + line}`;
        return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ')}`;
      });
    expect(problems).toEqual([]);
  });
});
