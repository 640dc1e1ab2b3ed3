import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { envVariables } from '../../../dataplane/src/platform/config.js';

interface Documented {
  name: string;
  value: string;
  commented: boolean;
  comment: string;
}

/** `# doc. Default: x` followed by `#NAME=default` (has a default) or `NAME=` (unset). */
function parseEnvExample(text: string): Documented[] {
  const lines = text.split('\n');
  const found: Documented[] = [];
  lines.forEach((line, i) => {
    const match = /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) return;
    const [, hash = '', name = '', value = ''] = match;
    found.push({ name, value, commented: hash === '#', comment: lines[i - 1] ?? '' });
  });
  return found;
}

describe('.env.example', () => {
  const documented = parseEnvExample(readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8'));
  const specs = Object.entries(envVariables) as [string, { doc: string; default?: string }][];

  it('lists every variable the dataplane reads, each once', () => {
    const names = documented.map((d) => d.name);
    expect(new Set(names).size, 'a variable is listed twice').to.equal(names.length);
    expect(names).to.have.members(Object.keys(envVariables));
  });

  it('lists no variable the dataplane does not read', () => {
    const extra = documented.map((d) => d.name).filter((n) => !(n in envVariables));
    expect(extra).to.deep.equal([]);
  });

  for (const [name, spec] of specs) {
    it(`${name}: shows its default and documents it`, () => {
      const entry = documented.find((d) => d.name === name);
      expect(entry, `${name} missing from .env.example`).to.not.equal(undefined);
      if (!entry) return;
      if (spec.default === undefined) {
        expect(entry, `${name} has no default: expected "${name}="`).to.include({
          value: '',
          commented: false,
        });
      } else {
        expect(entry, `${name} has default ${spec.default}: expected "#${name}=${spec.default}"`).to.include({
          value: spec.default,
          commented: true,
        });
      }
      expect(entry.comment.startsWith('# '), `${name} needs a comment line above it`).to.equal(true);
      expect(entry.comment).to.include(spec.doc);
      expect(entry.comment).to.include(`Default: ${spec.default ?? 'unset'}`);
    });
  }
});
