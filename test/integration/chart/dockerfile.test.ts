import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { admitted, inherited, parseDockerfile, type Stage } from './dockerfile.js';
import { readText, ROOT } from './kube-tools.js';

/** No Docker engine runs here: the Dockerfile is checked for what an engine would build from it. */
describe('Dockerfile (static checks)', () => {
  const dockerfile = parseDockerfile(readText('Dockerfile'));
  const dockerignore = readText('.dockerignore');
  const stages = dockerfile.stages;
  const stage = (name: string): Stage => {
    const s = stages.find((x) => x.name === name);
    if (!s) throw new Error(`no stage ${name}`);
    return s;
  };
  const runs = (s: Stage): string[] =>
    s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.rest.join(' '));
  const targets = {
    dataplane: { entrypoint: 'dist/dataplane/src/main.js', port: '8080' },
    operator: { entrypoint: 'dist/operator/src/main.js', port: '8081' },
  };

  it('names its stages, the images being the targets dataplane and operator', () => {
    expect(stages.map((s) => s.name)).to.deep.equal(['build', 'deps', 'runtime', 'dataplane', 'operator']);
  });

  it('starts every stage from node:20-bookworm-slim or an earlier stage', () => {
    for (const s of stages)
      expect(s.base === 'node:20-bookworm-slim' || stages.some((e) => e.name === s.base), s.name).to.equal(
        true,
      );
    expect(stage('dataplane').base).to.equal('runtime');
    expect(stage('operator').base).to.equal('runtime');
  });

  it('compiles with npm ci and npm run build, whose script compiles dataplane/src and operator/src', () => {
    expect(runs(stage('build'))).to.deep.equal(['npm ci --no-audit --no-fund', 'npm run build']);
    const pkg = JSON.parse(readText('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).to.equal('tsc -p tsconfig.build.json');
    const build = JSON.parse(readText('tsconfig.build.json')) as { include: string[] };
    expect(build.include).to.include.members(['dataplane/src', 'operator/src']);
  });

  it('takes node_modules from a stage that installs production dependencies only', () => {
    const copy = stage('runtime').instructions.find(
      (i) => i.keyword === 'COPY' && i.rest[0]?.endsWith('node_modules'),
    );
    const from = copy?.flags.from ?? '';
    expect(from).to.equal('deps');
    const installs = runs(stage(from)).filter((r) => r.startsWith('npm '));
    expect(installs).to.have.lengthOf(1);
    expect(installs[0]).to.match(/^npm ci( .*)? --omit=dev( |$)/);
    const dist = stage('runtime').instructions.find((i) => i.keyword === 'COPY' && i.flags.from === 'build');
    expect(dist?.rest).to.deep.equal(['/app/dist', './dist']);
  });

  for (const [name, { entrypoint, port }] of Object.entries(targets))
    describe(`target ${name}`, () => {
      it('runs as a non-root numeric user (uid 10001), as runAsNonRoot requires', () => {
        const user = inherited(stages, name, 'USER') ?? '';
        expect(user).to.match(/^\d+(:\d+)?$/);
        expect(user.split(':')[0]).to.equal('10001');
      });

      it(`starts node ${entrypoint}, compiled from a source tsconfig.build.json includes`, () => {
        expect(JSON.parse(inherited(stages, name, 'ENTRYPOINT') ?? 'null')).to.deep.equal([
          'node',
          entrypoint,
        ]);
        const source = entrypoint.replace(/^dist\//, '').replace(/\.js$/, '.ts');
        const build = JSON.parse(readText('tsconfig.build.json')) as { include: string[] };
        expect(
          build.include.some((dir) => source.startsWith(`${dir}/`)),
          source,
        ).to.equal(true);
      });

      it(`exposes ${port} and checks its /healthz`, () => {
        const own = stage(name).instructions;
        expect(own.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).to.deep.equal([port]);
        expect(own.find((i) => i.keyword === 'HEALTHCHECK')?.args).to.include('/healthz');
      });
    });

  it("has the dataplane's entrypoint source", () => {
    expect(existsSync(path.join(ROOT, 'dataplane/src/main.ts'))).to.equal(true);
  });

  it('writes nothing outside /tmp at run time: no RUN after the runtime stage begins, HOME=/tmp', () => {
    for (const name of ['runtime', 'dataplane', 'operator'])
      expect(runs(stage(name)), name).to.deep.equal([]);
    const env = stage('runtime')
      .instructions.filter((i) => i.keyword === 'ENV')
      .map((i) => i.args);
    expect(env.join(' ')).to.match(/\bHOME=\/tmp\b/);
    expect(env.join(' ')).to.match(/\bNODE_ENV=production\b/);
  });

  it('fetches nothing by URL (no ADD of a URL, no curl or wget) and never runs npm install', () => {
    const all = stages.flatMap((s) => s.instructions);
    expect(all.filter((i) => i.keyword === 'ADD' && /\b(https?|git):\/\//.test(i.args))).to.deep.equal([]);
    expect(all.filter((i) => i.keyword === 'RUN' && /\b(curl|wget)\b/.test(i.args))).to.deep.equal([]);
    expect(all.filter((i) => i.keyword === 'RUN' && /\bnpm (install|i)\b/.test(i.args))).to.deep.equal([]);
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const sources = stages
      .flatMap((s) => s.instructions)
      .filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && i.flags.from === undefined)
      .flatMap((i) => i.rest.slice(0, -1));
    expect(sources).to.include.members(['package.json', 'package-lock.json', 'dataplane', 'operator']);
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)), `${source} exists`).to.equal(true);
      expect(admitted(dockerignore, source), `${source} is in the build context`).to.equal(true);
    }
  });

  it('keeps node_modules, dist, .git, .data, .tools, .env and tests out of the context', () => {
    for (const p of [
      'node_modules',
      'dist',
      '.git',
      '.data',
      '.tools',
      '.env',
      'test/unit',
      'dataplane/node_modules',
    ])
      expect(admitted(dockerignore, p), p).to.equal(false);
    expect(admitted(dockerignore, 'dataplane/src/main.ts')).to.equal(true);
  });
});
