/**
 * The Redis store's scripts: each operation is one script, so it is atomic against every other
 * replica's (two sweeps never report the same member; a join never interleaves with a sweep).
 * ARGV[1] is always the key prefix; the keys are built in the scripts from ids they read, so
 * they suit one Redis (not a cluster). Keys, with `p` the prefix:
 *
 *   p res:<resourceId>    hash  socketId → member JSON (with `typingUntil`)
 *   p sock:<socketId>     set   resourceIds the socket is on (leaveAll)
 *   p replica:<replicaId> set   socketIds the replica holds (sweep, resync)
 *   p alive:<replicaId>   "1"   with PX = the replica TTL: the heartbeat
 *   p replicas            set   replicas that wrote entries or heartbeats (what a sweep checks)
 *
 * Members are JSON decoded and re-encoded by cjson, which keeps 14 significant digits: enough
 * for epoch milliseconds.
 */
const COMMON = `
local p = ARGV[1]
local function replica_of(json)
  return cjson.decode(json).replicaId
end
-- Members of live replicas only: a dead replica's entries vanish before anyone sweeps them.
local function alive_members(res)
  local flat = redis.call('HGETALL', p .. 'res:' .. res)
  local alive, out = {}, {}
  for i = 2, #flat, 2 do
    local replica = replica_of(flat[i])
    if alive[replica] == nil then
      alive[replica] = redis.call('EXISTS', p .. 'alive:' .. replica) == 1
    end
    if alive[replica] then
      out[#out + 1] = flat[i]
    end
  end
  return out
end
-- Takes one socket off one resource and out of the indexes; its member's JSON, or false.
local function remove(res, socket)
  local rkey, skey = p .. 'res:' .. res, p .. 'sock:' .. socket
  local json = redis.call('HGET', rkey, socket)
  redis.call('SREM', skey, res)
  if not json then
    return false
  end
  redis.call('HDEL', rkey, socket)
  if redis.call('EXISTS', skey) == 0 then
    redis.call('SREM', p .. 'replica:' .. replica_of(json), socket)
  end
  return json
end
`;

/** ARGV: prefix, resourceId, socketId, replicaId, member JSON → the live members' JSON. */
export const JOIN = `${COMMON}
local res, socket, replica = ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', p .. 'res:' .. res, socket, ARGV[5])
redis.call('SADD', p .. 'sock:' .. socket, res)
redis.call('SADD', p .. 'replica:' .. replica, socket)
redis.call('SADD', p .. 'replicas', replica)
return alive_members(res)`;

/** ARGV: prefix, resourceId → the live members' JSON. */
export const LIST = `${COMMON}
return alive_members(ARGV[2])`;

/** ARGV: prefix, resourceId, socketId → the removed member's JSON or nil. */
export const LEAVE = `${COMMON}
return remove(ARGV[2], ARGV[3])`;

/** ARGV: prefix, socketId → [resourceId, member JSON, ...] of what it left. */
export const LEAVE_ALL = `${COMMON}
local out = {}
for _, res in ipairs(redis.call('SMEMBERS', p .. 'sock:' .. ARGV[2])) do
  local json = remove(res, ARGV[2])
  if json then
    out[#out + 1] = res
    out[#out + 1] = json
  end
end
return out`;

/** ARGV: prefix, resourceId, socketId, patch JSON (null deletes a field) → member JSON or nil. */
export const UPDATE = `${COMMON}
local rkey = p .. 'res:' .. ARGV[2]
local json = redis.call('HGET', rkey, ARGV[3])
if not json then
  return false
end
local member = cjson.decode(json)
for key, value in pairs(cjson.decode(ARGV[4])) do
  if value == cjson.null then
    member[key] = nil
  else
    member[key] = value
  end
end
json = cjson.encode(member)
redis.call('HSET', rkey, ARGV[3], json)
return json`;

/** ARGV: prefix, replicaId, TTL ms → 1 if the replica was still alive, 0 if it had lapsed. */
export const HEARTBEAT = `${COMMON}
local key = p .. 'alive:' .. ARGV[2]
local was = redis.call('EXISTS', key)
redis.call('SET', key, '1', 'PX', ARGV[3])
redis.call('SADD', p .. 'replicas', ARGV[2])
return was`;

/** ARGV: prefix → [resourceId, member JSON, ...] deleted because their replica lapsed. */
export const SWEEP = `${COMMON}
local out = {}
for _, replica in ipairs(redis.call('SMEMBERS', p .. 'replicas')) do
  if redis.call('EXISTS', p .. 'alive:' .. replica) == 0 then
    for _, socket in ipairs(redis.call('SMEMBERS', p .. 'replica:' .. replica)) do
      for _, res in ipairs(redis.call('SMEMBERS', p .. 'sock:' .. socket)) do
        local json = remove(res, socket)
        if json then
          out[#out + 1] = res
          out[#out + 1] = json
        end
      end
    end
    redis.call('DEL', p .. 'replica:' .. replica)
    redis.call('SREM', p .. 'replicas', replica)
  end
end
return out`;

/**
 * Makes Redis hold exactly what the replica holds. ARGV: prefix, replicaId, then
 * (resourceId, socketId, member JSON) for each member it holds → { removed, restored }, each
 * [resourceId, member JSON, ...]: entries it no longer holds, and members Redis did not have.
 */
export const RESYNC = `${COMMON}
local replica = ARGV[2]
local held = {}
for i = 3, #ARGV, 3 do
  held[ARGV[i]] = held[ARGV[i]] or {}
  held[ARGV[i]][ARGV[i + 1]] = true
end
local removed = {}
for _, socket in ipairs(redis.call('SMEMBERS', p .. 'replica:' .. replica)) do
  for _, res in ipairs(redis.call('SMEMBERS', p .. 'sock:' .. socket)) do
    if not (held[res] and held[res][socket]) then
      local json = remove(res, socket)
      if json then
        removed[#removed + 1] = res
        removed[#removed + 1] = json
      end
    end
  end
end
local restored = {}
for i = 3, #ARGV, 3 do
  local res, socket, json = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('HSET', p .. 'res:' .. res, socket, json) == 1 then
    restored[#restored + 1] = res
    restored[#restored + 1] = json
  end
  redis.call('SADD', p .. 'sock:' .. socket, res)
  redis.call('SADD', p .. 'replica:' .. replica, socket)
end
redis.call('SADD', p .. 'replicas', replica)
return { removed, restored }`;
