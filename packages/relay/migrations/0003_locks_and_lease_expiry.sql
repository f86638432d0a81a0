-- gong-relay schema, version 3.
-- 1. The tenant row is locked FOR NO KEY UPDATE by the claim and by answered(), not FOR UPDATE: an application
--    that enqueues inside its own transaction holds a KEY SHARE lock on the tenant (the event's foreign key)
--    until it commits, and FOR UPDATE waited for it (or skipped the tenant), so one open transaction stalled
--    that tenant's delivery and the lanes recording its answers. Neither function changes the tenant's key.
-- 2. A lease that expired counts as a failure (reason 'lease-expired'), and the event is dead-lettered at
--    p_max_failures (the worker's --max-attempts) like any other: before, a send that always outlasted its lease,
--    or an event that crashed every worker, went round forever.

drop function gong_relay.claim(text, integer);

-- A call was answered: its window counts from the earlier of now (surely after it reached Gong) and
-- p_reached_by (the worker's bound: when it sent the request, on this clock, plus an allowance for the way to
-- Gong), no longer from the end of its lease. With p_hold_s (a 429's Retry-After) the tenant makes no call for
-- that long; with p_pause (Gong refused its credentials) it is paused.
create or replace function gong_relay.answered(p_tenant text, p_event bigint, p_reached_by timestamptz default null,
                                    p_hold_s double precision default null, p_pause text default null)
returns boolean language plpgsql as $$
declare
  v_lane record;
  v_i    integer;
begin
  select t.recent, t.recent_events, t.last_claim_at, t.interval_ms, t.window_ms, t.burst into v_lane
    from gong_relay.tenant t where t.id = p_tenant for no key update;
  v_i := array_position(v_lane.recent_events, p_event);
  if v_i is not null then
    v_lane.recent[v_i] := least(clock_timestamp(), p_reached_by);
  end if;
  update gong_relay.tenant t
     set recent = v_lane.recent,
         next_at = gong_relay.pace(v_lane.last_claim_at, v_lane.interval_ms, v_lane.window_ms, v_lane.burst, v_lane.recent),
         hold_until = case when p_hold_s is null then t.hold_until
                           else greatest(t.hold_until, clock_timestamp() + p_hold_s * interval '1 second') end,
         paused = t.paused or p_pause is not null,
         paused_reason = coalesce(p_pause, t.paused_reason)
   where t.id = p_tenant;
  return true;
end;
$$;

-- Claim one event: the due tenant whose turn is oldest (fair across tenants), locked so that no other worker
-- paces it at the same time, its oldest ready event, leased to p_worker. The tenant's pacing moves on at
-- once: no call starts sooner than interval_ms after the previous one, nor within window_ms of the call
-- `burst` calls back, nor past the day's cap. Leases that expired first go back to the queue as a failure, or to the dead letters at p_max_failures (their send may
-- have reached Gong). A call's window counts from the end of its lease until its answer is recorded
-- (gong_relay.answered). With nothing to claim, one row with only wait_ms: how long until something may be due.
create function gong_relay.claim(p_worker text, p_lease_ms integer, p_max_failures integer)
returns table (event_pk bigint, tenant text, operation text, payload text, attempts integer,
               may_have_landed boolean, tenant_version timestamptz, base_url text, credentials bytea,
               claimed_at timestamptz, wait_ms double precision)
language plpgsql as $$
#variable_conflict use_column
declare
  v_now   timestamptz := clock_timestamp();
  v_today date := (v_now at time zone 'UTC')::date;
  v_lane  record;
  v_event bigint;
  v_recent timestamptz[];
  v_events bigint[];
  v_n     integer;
begin
  update gong_relay.event e
     set status = case when e.failures + 1 >= p_max_failures then 'dead' else 'pending' end,
         failures = e.failures + 1,
         finished_at = case when e.failures + 1 >= p_max_failures then v_now end,
         reason = 'lease-expired',
         errors = jsonb_build_array('no answer was recorded within the lease (--lease-ms): the send took longer, or the worker stopped'),
         lease_until = null, leased_by = null, may_have_landed = true, run_at = v_now
   where e.id in (select x.id from gong_relay.event x
                   where x.status = 'leased' and x.lease_until < v_now
                   for update skip locked);

  for v_lane in
    select t.id, t.burst, t.recent, t.recent_events, t.interval_ms, t.window_ms, t.updated_at, t.base_url, t.credentials
      from gong_relay.tenant t
     where not t.paused and t.next_at <= v_now and t.hold_until <= v_now
       and (t.day <> v_today or t.day_count < t.day_cap)
       and exists (select 1 from gong_relay.event e
                    where e.tenant = t.id and e.status = 'pending' and e.run_at <= v_now)
     order by t.next_at
     limit 32
     for no key update skip locked
  loop
    select e.id into v_event from gong_relay.event e
     where e.tenant = v_lane.id and e.status = 'pending' and e.run_at <= v_now
     order by e.run_at, e.id
     limit 1
     for update skip locked;
    continue when v_event is null;

    v_recent := v_lane.recent || (v_now + p_lease_ms * interval '1 millisecond');
    v_events := v_lane.recent_events || v_event;
    v_n := cardinality(v_recent);
    if v_n > v_lane.burst then
      v_recent := v_recent[v_n - v_lane.burst + 1 : v_n];
      v_events := v_events[v_n - v_lane.burst + 1 : v_n];
    end if;
    update gong_relay.tenant t
       set recent = v_recent,
           recent_events = v_events,
           last_claim_at = v_now,
           next_at = gong_relay.pace(v_now, v_lane.interval_ms, v_lane.window_ms, v_lane.burst, v_recent),
           day_count = case when t.day = v_today then t.day_count + 1 else 1 end,
           day = v_today
     where t.id = v_lane.id;

    return query
      update gong_relay.event e
         set status = 'leased', attempts = e.attempts + 1, leased_by = p_worker,
             lease_until = v_now + p_lease_ms * interval '1 millisecond'
       where e.id = v_event
      returning e.id, e.tenant, e.operation, e.payload, e.attempts, e.may_have_landed, v_lane.updated_at,
                v_lane.base_url, v_lane.credentials, v_now, null::double precision;
    return;
  end loop;

  return query
    with due as (
      select least(
        (select min(greatest(t.next_at, t.hold_until,
                             case when t.day = v_today and t.day_count >= t.day_cap
                                  then (v_today + 1)::timestamp at time zone 'UTC' end,
                             (select min(e.run_at) from gong_relay.event e
                               where e.tenant = t.id and e.status = 'pending')))
           from gong_relay.tenant t
          where not t.paused
            and exists (select 1 from gong_relay.event e where e.tenant = t.id and e.status = 'pending')),
        (select min(e.lease_until) from gong_relay.event e where e.status = 'leased')) as at
    )
    select null::bigint, null::text, null::text, null::text, null::integer, null::boolean, null::timestamptz,
           null::text, null::bytea, null::timestamptz,
           case when due.at is null then null
                else greatest(0, extract(epoch from (due.at - v_now)) * 1000)::double precision end
      from due;
end;
$$;
