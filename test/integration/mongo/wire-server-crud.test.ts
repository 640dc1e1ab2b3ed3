import { expect } from 'chai';
import { MongoClient, MongoServerError, type Db } from 'mongodb';
import { freshDatabaseName, startMongoTarget, type MongoTarget } from './mongo-target.js';

/** The real `mongodb` driver against the wire-protocol test server (or MONGO_URL): writes and reads. */
describe('mongo test server: CRUD through the driver', () => {
  let target: MongoTarget;
  let client: MongoClient;
  let db: Db;

  before(async () => {
    target = await startMongoTarget();
    client = await new MongoClient(target.url, { serverSelectionTimeoutMS: 5000 }).connect();
    db = client.db(freshDatabaseName());
  });

  after(async () => {
    await db.dropDatabase();
    await client.close();
    await target.stop();
  });

  it('answers ping and buildInfo', async () => {
    expect(await db.command({ ping: 1 })).to.include({ ok: 1 });
    const info = await db.admin().command({ buildInfo: 1 });
    expect(info.version)
      .to.be.a('string')
      .and.match(/^\d+\.\d+/);
  });

  it('inserts, finds with filter, sort, projection, skip and limit', async () => {
    const people = db.collection('people');
    await people.insertMany([
      { name: 'Ada', age: 36, address: { city: 'London' } },
      { name: 'Linus', age: 28, address: { city: 'Helsinki' } },
      { name: 'Grace', age: 45, address: { city: 'New York' } },
      { name: 'Zoë', age: 30, address: { city: 'Zürich' } },
    ]);
    const found = await people
      .find({ age: { $gte: 30 } }, { projection: { _id: 0, name: 1, 'address.city': 1 } })
      .sort({ age: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(found).to.deep.equal([
      { name: 'Ada', address: { city: 'London' } },
      { name: 'Zoë', address: { city: 'Zürich' } },
    ]);
    expect(await people.findOne({ 'address.city': 'Helsinki' })).to.include({ name: 'Linus' });
  });

  it('updates with operators, multi and upsert, and replaces', async () => {
    type Item = {
      sku: string;
      qty?: number;
      tags?: string[];
      dim?: { w: number };
      replaced?: boolean;
      fresh?: boolean;
    };
    const items = db.collection<Item>('items');
    await items.insertMany([
      { sku: 'a', qty: 1, tags: ['x'] },
      { sku: 'b', qty: 2, tags: [] },
    ]);
    const one = await items.updateOne(
      { sku: 'a' },
      { $set: { 'dim.w': 3 }, $inc: { qty: 5 }, $push: { tags: 'y' } },
    );
    expect(one).to.include({ matchedCount: 1, modifiedCount: 1 });
    expect(await items.findOne({ sku: 'a' }, { projection: { _id: 0 } })).to.deep.equal({
      sku: 'a',
      qty: 6,
      tags: ['x', 'y'],
      dim: { w: 3 },
    });
    const many = await items.updateMany({}, { $unset: { tags: '' } });
    expect(many).to.include({ matchedCount: 2, modifiedCount: 2 });
    const up = await items.updateOne(
      { sku: 'c' },
      { $set: { qty: 9 }, $setOnInsert: { fresh: true } },
      { upsert: true },
    );
    expect(up.upsertedCount).to.equal(1);
    expect(await items.findOne({ _id: up.upsertedId! }, { projection: { _id: 0 } })).to.deep.equal({
      sku: 'c',
      qty: 9,
      fresh: true,
    });
    await items.replaceOne({ sku: 'b' }, { sku: 'b', replaced: true });
    expect(await items.findOne({ sku: 'b' }, { projection: { _id: 0 } })).to.deep.equal({
      sku: 'b',
      replaced: true,
    });
  });

  it('deletes one and many', async () => {
    const logs = db.collection('logs');
    await logs.insertMany([{ level: 'info' }, { level: 'info' }, { level: 'warn' }, { level: 'info' }]);
    expect((await logs.deleteOne({ level: 'info' })).deletedCount).to.equal(1);
    expect((await logs.deleteMany({ level: 'info' })).deletedCount).to.equal(2);
    expect(await logs.countDocuments()).to.equal(1);
  });

  it('refuses a duplicate _id with E11000', async () => {
    const keys = db.collection('keys');
    await keys.insertOne({ _id: 'k1' } as never);
    const error = await keys.insertOne({ _id: 'k1' } as never).catch((e: unknown) => e);
    expect(error).to.have.property('code', 11000);
  });

  it('answers errors as {ok: 0, errmsg, code}', async () => {
    const unknown = await db.command({ noSuchCommand: 1 }).catch((e: unknown) => e);
    expect(unknown).to.be.instanceOf(MongoServerError).and.to.have.property('code', 59);
    const bad = await db
      .collection('people')
      .find({ $bogus: 1 } as never)
      .toArray()
      .catch((e: unknown) => e);
    expect(bad).to.be.instanceOf(MongoServerError).and.to.have.property('code', 2);
  });
});
