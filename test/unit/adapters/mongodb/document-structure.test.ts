import { expect } from 'chai';
import { Binary, Decimal128, Double, Int32, Long, ObjectId, UUID } from 'bson';
import {
  analyzeDocuments,
  bsonTypeOf,
} from '../../../../dataplane/src/adapters/mongodb/document-structure.js';

describe('MongoDB document structure analysis', () => {
  it('names BSON types as the server does', () => {
    const cases: [unknown, string][] = [
      ['x', 'string'],
      [true, 'bool'],
      [new Int32(1), 'int'],
      [new Double(1), 'double'],
      [Long.fromNumber(1), 'long'],
      [new Decimal128('1.5'), 'decimal'],
      [new ObjectId(), 'objectId'],
      [new Date(0), 'date'],
      [new UUID(), 'uuid'],
      [new Binary(Buffer.from('x')), 'binData'],
      [null, 'null'],
      [[1], 'array'],
      [{ a: 1 }, 'object'],
      [3, 'int'],
      [3.5, 'double'],
    ];
    for (const [value, type] of cases) expect(bsonTypeOf(value), String(value)).to.equal(type);
  });

  it('flattens nested objects, keeps arrays whole and counts frequencies', () => {
    const columns = analyzeDocuments([
      {
        _id: new ObjectId(),
        name: 'a',
        address: { city: 'Bern', geo: { lat: new Double(1.5) } },
        tags: ['x'],
      },
      { _id: new ObjectId(), name: null, address: { city: 'Wien' }, tags: [] },
      { _id: new ObjectId(), address: { city: null, geo: { lat: new Int32(2) } } },
      { _id: new ObjectId(), name: 'd', address: 'unknown' },
    ]);
    const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
    expect(columns.map((c) => c.name)).to.deep.equal([
      '_id',
      'name',
      'address',
      'address.city',
      'address.geo.lat',
      'tags',
    ]);
    expect(byName._id).to.include({ type: 'text', nativeType: 'objectId', nullable: false, frequency: 1 });
    expect(byName.name).to.include({ type: 'text', nullable: true, frequency: 0.75 });
    expect(byName.address).to.include({ type: 'unknown', nativeType: 'object|string' });
    expect(byName['address.city']).to.include({ type: 'text', frequency: 0.75 });
    expect(byName['address.geo.lat']).to.include({
      type: 'number',
      nativeType: 'double|int',
      frequency: 0.5,
    });
    expect(byName.tags).to.include({ type: 'json', nativeType: 'array', array: true, frequency: 0.5 });
    expect(byName.tags!.types).to.deep.equal({ array: 2 });
  });

  it('skips keys that are not addressable paths and caps depth and field count', () => {
    const doc = { _id: 1, $where: 1, 'a.b': 2, '': 3, deep: { x: { y: { z: 1 } } } };
    const names = analyzeDocuments([doc], { maxDepth: 2 }).map((c) => c.name);
    expect(names).to.deep.equal(['_id', 'deep.x']);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, i]));
    expect(analyzeDocuments([{ _id: 1, ...many }], { maxFields: 10 })).to.have.length(10);
  });

  it('describes an empty collection by its ObjectId _id', () => {
    expect(analyzeDocuments([])).to.deep.equal([
      {
        name: '_id',
        type: 'text',
        nullable: false,
        nativeType: 'objectId',
        default: null,
        frequency: 0,
        types: { objectId: 0 },
        array: false,
      },
    ]);
  });

  it('unifies integers and numbers, and calls other mixes unknown', () => {
    const columns = analyzeDocuments([
      { _id: 1, n: new Int32(1), l: Long.fromNumber(5), m: 'x', only: null },
      { _id: 2, n: Long.fromNumber(2), l: new Int32(1), m: new Int32(1), only: null },
    ]);
    const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
    expect(byName._id).to.include({ type: 'integer' });
    expect(byName.n).to.include({ type: 'integer', nativeType: 'int|long' });
    expect(byName.m).to.include({ type: 'unknown', nativeType: 'string|int' });
    expect(byName.only).to.include({ type: 'unknown', nativeType: 'null', nullable: true });
  });
});
