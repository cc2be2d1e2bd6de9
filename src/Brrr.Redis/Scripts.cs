namespace Brrr.Redis;

/// <summary>The Lua scripts of the backends. Lua strings are byte strings, so comparisons are byte for byte.</summary>
internal static class Scripts
{
    /// <summary>KEYS: the key. ARGV: new bytes, expected bytes. Returns 1 when written.</summary>
    public static readonly RedisScript CompareAndSet = new("compare-and-set", """
        if redis.call('GET', KEYS[1]) == ARGV[2] then
          redis.call('SET', KEYS[1], ARGV[1])
          return 1
        end
        return 0
        """);

    /// <summary>
    /// The claim of a schedule's tick. KEYS: the tick's claim, the schedule's last claimed tick, its unpushed ticks.
    /// ARGV: the tick (Unix ms), the claim's expiry (ms). Returns 1 when claimed: no claim of the tick and no later (or
    /// equal) last tick; the tick is then listed as unpushed, scored by the server's time.
    /// </summary>
    public static readonly RedisScript ClaimScheduleTick = new("claim-schedule-tick", """
        local last = tonumber(redis.call('GET', KEYS[2]) or '')
        if last and last >= tonumber(ARGV[1]) then return 0 end
        if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return 0 end
        redis.call('SET', KEYS[2], ARGV[1])
        local t = redis.call('TIME')
        redis.call('ZADD', KEYS[3], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
        return 1
        """);

    /// <summary>
    /// Takes the unpushed ticks of a schedule listed for at least a grace. KEYS: the unpushed ticks. ARGV: the grace
    /// (ms), the most to take. Returns the ticks (Unix ms, earliest first), each rescored to the server's time now.
    /// </summary>
    public static readonly RedisScript TakeUnpushedTicks = new("take-unpushed-ticks", """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
        for _, tick in ipairs(stale) do redis.call('ZADD', KEYS[1], now, tick) end
        table.sort(stale, function(a, b) return tonumber(a) < tonumber(b) end)
        return stale
        """);

    /// <summary>
    /// GCRA with reservations over the server's clock, in microseconds, for one call counted in N scopes. KEYS: per scope
    /// its theoretical arrival time, then the call's reservation in it. ARGV: per scope its interval and burst tolerance,
    /// then how long a reservation outlives its time. The start is the latest of the call's reservations and the scopes'
    /// earliest conforming times; now: reservations are consumed and the other scopes count the call; later: the other
    /// scopes reserve it (their arrival time moves past it). Both keys expire once they no longer matter. Returns the wait.
    /// </summary>
    public static readonly RedisScript RateLimit = new("rate-limit", """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local keep = tonumber(ARGV[#ARGV])
        local n = #KEYS / 2
        local start = now
        local granted = {}
        local tats = {}
        for i = 1, n do
          local grant = tonumber(redis.call('GET', KEYS[2 * i]) or '')
          if grant then
            granted[i] = true
            start = math.max(start, grant)
          else
            local tat = math.max(tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0'), now)
            tats[i] = tat
            start = math.max(start, tat - tonumber(ARGV[2 * i]))
          end
        end
        for i = 1, n do
          if granted[i] then
            if start <= now then redis.call('DEL', KEYS[2 * i]) end
          else
            local tat = math.max(tats[i], start) + tonumber(ARGV[2 * i - 1])
            redis.call('SET', KEYS[2 * i - 1], string.format('%d', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
            if start > now then
              redis.call('SET', KEYS[2 * i], string.format('%d', start), 'PX', math.floor((start - now + keep) / 1000))
            end
          end
        end
        return start - now
        """);

    /// <summary>KEYS: the key. ARGV: expected bytes. Returns 1 when deleted.</summary>
    public static readonly RedisScript CompareAndDelete = new("compare-and-delete", """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        return 0
        """);

    // Consumes one "given back" mark of message m; 1 when there was one.
    private const string TakeRedeliveredMark = """
        local function take_mark(hash, m)
          local n = tonumber(redis.call('HGET', hash, m) or '0')
          if n <= 0 then return 0 end
          if n > 1 then redis.call('HINCRBY', hash, m, -1) else redis.call('HDEL', hash, m) end
          return 1
        end
        """;

    /// <summary>
    /// The non-blocking receive of up to ARGV[2] messages. KEYS: topic, in-flight list, redelivered hash, consumers set.
    /// ARGV: consumer id, the most messages to move. Returns nil when the topic is empty, else
    /// {message, 1 if redelivered else 0, message, ...} in topic order. The marks are looked up per message only when
    /// the redelivered hash exists (it is empty, so absent, unless a message was given back): one command per message.
    /// </summary>
    public static readonly RedisScript Receive = new("receive", TakeRedeliveredMark + """

        local out = {}
        local marked = redis.call('EXISTS', KEYS[3]) == 1
        for i = 1, tonumber(ARGV[2]) do
          local m = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
          if not m then break end
          out[#out + 1] = m
          out[#out + 1] = marked and take_mark(KEYS[3], m) or 0
        end
        if #out == 0 then return false end
        redis.call('SADD', KEYS[4], ARGV[1])
        return out
        """);

    /// <summary>
    /// Takes the message a blocking move just put in the landing list, sent on the same connection right behind the
    /// move (so Redis runs it once the move returns, with no round trip to the client between). KEYS: landing list, in-flight list,
    /// redelivered hash, consumers set. ARGV: consumer id. Returns false when the landing list is empty (the move timed
    /// out), else {message, 1 if redelivered else 0}, the message moved to the end of the in-flight list.
    /// </summary>
    public static readonly RedisScript Land = new("land", TakeRedeliveredMark + """

        local m = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
        if not m then return false end
        redis.call('SADD', KEYS[4], ARGV[1])
        return {m, take_mark(KEYS[3], m)}
        """);

    /// <summary>
    /// Gives one message back to the head of its topic, marked redelivered. KEYS: in-flight list, topic, redelivered
    /// hash. ARGV: message, marks' time to live in ms. Returns 0 when the consumer no longer held it (already recovered by another consumer).
    /// The time to live is set only on a hash that has none (what PEXPIRE NX does, written so that Redis before 7 runs it
    /// too): a release in a steady stream of releases must not push back the expiry of marks nobody reads.
    /// </summary>
    public static readonly RedisScript Release = new("release", """
        if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
        redis.call('LPUSH', KEYS[2], ARGV[1])
        redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
        if redis.call('PTTL', KEYS[3]) < 0 then redis.call('PEXPIRE', KEYS[3], ARGV[2]) end
        return 1
        """);

    /// <summary>
    /// Returns every message a consumer holds to the head of the topic (in their order), marked redelivered, and
    /// deregisters the consumer. KEYS: heartbeat, in-flight list, topic, redelivered hash, consumers set, landing list
    /// (what it holds goes last, as the latest move). ARGV: consumer id, '1' to do it even if the heartbeat is alive
    /// (graceful shutdown), marks' time to live in ms. Returns the number of messages moved, or -1 when the consumer is
    /// alive after all.
    /// </summary>
    public static readonly RedisScript Recover = new("recover", """
        if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
        while redis.call('LMOVE', KEYS[6], KEYS[2], 'LEFT', 'RIGHT') do end
        local n = 0
        while true do
          local m = redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT')
          if not m then break end
          redis.call('HINCRBY', KEYS[4], m, 1)
          n = n + 1
        end
        if n > 0 and redis.call('PTTL', KEYS[4]) < 0 then redis.call('PEXPIRE', KEYS[4], ARGV[3]) end
        redis.call('SREM', KEYS[5], ARGV[1])
        redis.call('DEL', KEYS[1])
        return n
        """);

    /// <summary>
    /// Put-job in one step. KEYS: spawn counter, topic. ARGV: spawn limit, message, counter time to live in ms.
    /// Returns the new count; the message is pushed only when it is at most the limit. The time to live is set, if the
    /// counter has none, by the increment that creates it and by every 64th: a counter that a reference worker created
    /// (without one) gets it too, and a job costs three commands, not four.
    /// </summary>
    public static readonly RedisScript IncrAndPush = new("incr-and-push", """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 or n % 64 == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3], 'NX') end
        if n <= tonumber(ARGV[1]) then redis.call('RPUSH', KEYS[2], ARGV[2]) end
        return n
        """);

    /// <summary>
    /// A first registration and its job in one step. KEYS: the pending returns record, the call record, the root's spawn
    /// counter, the topic. ARGV: the new pending returns, the call record, the spawn limit, the message, the counter's
    /// expiry (ms). Returns {the record held} when there was one (nothing written), else {false, the new count}: both
    /// records written, the job counted and pushed unless over the limit (the counter expires as incr-and-push's does).
    /// </summary>
    public static readonly RedisScript SetNewAndPush = new("set-new-and-push", """
        local current = redis.call('GET', KEYS[1])
        if current then return {current} end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('SET', KEYS[2], ARGV[2])
        local n = redis.call('INCR', KEYS[3])
        if n == 1 or n % 64 == 0 then redis.call('PEXPIRE', KEYS[3], ARGV[5], 'NX') end
        if n <= tonumber(ARGV[3]) then redis.call('RPUSH', KEYS[4], ARGV[4]) end
        return {false, n}
        """);

    /// <summary>
    /// A completed call's returns and the removal of their record in one step. KEYS: the pending returns record, then per
    /// job its root's spawn counter and its topic. ARGV: the record's expected bytes, the spawn limit, the counters'
    /// expiry (ms), then per job its message. Each job is counted and pushed as incr-and-push does; then the record is
    /// deleted if it still holds the expected bytes. Returns the new count of each job, then 1 if the record was deleted, else 0.
    /// </summary>
    public static readonly RedisScript PushThenDeleteIf = new("push-then-delete-if", """
        local limit = tonumber(ARGV[2])
        local out = {}
        for i = 1, (#KEYS - 1) / 2 do
          local n = redis.call('INCR', KEYS[2 * i])
          if n == 1 or n % 64 == 0 then redis.call('PEXPIRE', KEYS[2 * i], ARGV[3], 'NX') end
          if n <= limit then redis.call('RPUSH', KEYS[2 * i + 1], ARGV[3 + i]) end
          out[i] = n
        end
        local deleted = 0
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          deleted = 1
        end
        out[#out + 1] = deleted
        return out
        """);

    /// <summary>
    /// A value and, when its record holds exactly the return expected, that return, in one step. KEYS: the value, the
    /// pending returns record, the return's spawn counter, its topic. ARGV: the value, the expected record, the spawn
    /// limit, the message, the counter's expiry (ms). Returns {1, the new count} when the record held the expected
    /// bytes (the job counted and pushed as incr-and-push does, the record deleted), else {0, the record held}, or {0}
    /// when there is none.
    /// </summary>
    public static readonly RedisScript SetThenPushIf = new("set-then-push-if", """
        redis.call('SET', KEYS[1], ARGV[1])
        local current = redis.call('GET', KEYS[2])
        if not current then return {0} end
        if current ~= ARGV[2] then return {0, current} end
        local n = redis.call('INCR', KEYS[3])
        if n == 1 or n % 64 == 0 then redis.call('PEXPIRE', KEYS[3], ARGV[5], 'NX') end
        if n <= tonumber(ARGV[3]) then redis.call('RPUSH', KEYS[4], ARGV[4]) end
        redis.call('DEL', KEYS[2])
        return {1, n}
        """);

    /// <summary>
    /// KEYS: heartbeat, consumers set. ARGV: consumer id, time to live in ms, the value (the consumer's acknowledgements, <see cref="AckCounter"/>). Returns 1 when the heartbeat was still
    /// alive, 0 when it had expired (or was never set).
    /// </summary>
    public static readonly RedisScript Heartbeat = new("heartbeat", """
        local alive = redis.call('EXISTS', KEYS[1])
        redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[1])
        return alive
        """);

    /// <summary>
    /// Moves up to ARGV[1] due delayed messages, earliest first, to the tail of the topic, stripping each member's id and
    /// flag (<see cref="RedisKeys.DelayedMember"/>); a member flagged <c>r</c> gets a redelivery mark. "Due" is by the
    /// server's clock, so concurrent promoters agree. KEYS: delayed set, topic, redelivered hash. ARGV: the most to move,
    /// marks' time to live in ms. Returns how many moved.
    /// </summary>
    public static readonly RedisScript PromoteDue = new("promote-due", """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
        if #due == 0 then return 0 end
        local marked = false
        for _, m in ipairs(due) do
          local body = string.sub(m, 34)
          redis.call('RPUSH', KEYS[2], body)
          if string.sub(m, 33, 33) == 'r' then
            redis.call('HINCRBY', KEYS[3], body, 1)
            marked = true
          end
        end
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #due - 1)
        if marked and redis.call('PTTL', KEYS[3]) < 0 then redis.call('PEXPIRE', KEYS[3], ARGV[2]) end
        return #due
        """);

    /// <summary>
    /// Acknowledges one held message and holds a redelivered copy back, in one step. KEYS: in-flight list, delayed set.
    /// ARGV: message, delayed member, due time in Unix ms. Returns 0 when the consumer no longer held the message
    /// (another consumer gave it back already): then nothing is delayed.
    /// </summary>
    public static readonly RedisScript ReleaseLater = new("release-later", """
        if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
        return 1
        """);

    public static readonly IReadOnlyList<RedisScript> All = [CompareAndSet, CompareAndDelete, Receive, Land, Release, Recover, Heartbeat, IncrAndPush, SetNewAndPush, PushThenDeleteIf, SetThenPushIf, PromoteDue, ReleaseLater, ClaimScheduleTick, TakeUnpushedTicks, RateLimit];
}
