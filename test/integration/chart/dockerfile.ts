/**
 * Just enough of the Dockerfile and .dockerignore formats to check them without a Docker engine:
 * instructions with their line continuations joined, stages with their base, and the context
 * filter (patterns in order, `!` re-admitting, the last match deciding, a parent directory's match
 * applying to what lies under it).
 */

export interface Instruction {
  keyword: string;
  args: string;
  /** `--from=build`, `--mount=...` and the like, before the arguments proper. */
  flags: Record<string, string>;
  rest: string[];
}

export interface Stage {
  name: string;
  /** The image or earlier stage it starts from, with ARGs substituted. */
  base: string;
  instructions: Instruction[];
}

function split(args: string): { flags: Record<string, string>; rest: string[] } {
  const words = args.trim().split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [flag = '', value = 'true'] = (words.shift() as string).slice(2).split(/=(.*)/s);
    flags[flag] = value;
  }
  return { flags, rest: words };
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction: Instruction = { keyword: keyword.toUpperCase(), args, ...split(args) };
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = args.split(/=(.*)/s);
      globalArgs[name] = value;
    } else if (instruction.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args.trim());
      if (!m) throw new Error(`FROM ${args}: not understood`);
      const base = (m[1] ?? '').replace(/\$\{?(\w+)\}?/g, (_, n: string) => globalArgs[n] ?? '');
      stages.push({ name: m[2] ?? `stage-${stages.length}`, base, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  }
  return { args: globalArgs, stages };
}

/** The last value of an instruction in a stage or the stages it is built on (USER, ENTRYPOINT…). */
export function inherited(stages: Stage[], name: string, keyword: string): string | undefined {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return undefined;
  const own = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
  return own ? own.args : inherited(stages, stage.base, keyword);
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, '')
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) =>
      part === '**/' || part === '**'
        ? '(?:.*/)?'
        : part === '*'
          ? '[^/]*'
          : part === '?'
            ? '[^/]'
            : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}

/** Whether the build context keeps `relative` (a path from the context root) under .dockerignore. */
export function admitted(dockerignore: string, relative: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => ({ negate: l.startsWith('!'), re: globToRegExp(l.replace(/^!/, '')) }));
  const parts = relative.replace(/^\.\/|\/$/g, '').split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const { negate, re } of rules) if (prefixes.some((p) => re.test(p))) excluded = !negate;
  return !excluded;
}
