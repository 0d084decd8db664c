"""The prose of BENCHMARKS.md (bench_report.py fills in the figures of the run)."""

INTRO = """\
`make bench` (`python -m tests.bench.run`) measured this on {started}: {runs} runs of every measurement of
issues 6 and 15 on PostgreSQL, each against a raw baseline measured in the same run on the same database with
the same rows. It took **{total:.1f} minutes**. Raw results: `bench-results/results.json` (git-ignored),
profiles: `bench-results/profiles.txt`. The dataset lives in the database `{dataset}`, which the bench
keeps between runs and reuses (it is rebuilt when absent, or when an interrupted build left it without
its completion mark; drop it to force a rebuild). **On a new machine on 2026-12-03 at 13:12 UTC (a
fresh checkout of e3bcdba, no dataset; `make install` had run a minute before) `time make bench` took
17.7 minutes**: the dataset built from an empty database in 8.7 minutes (6,105 events/s, two writers,
all 392 COs), then 9 minutes of measurements, on a slow hour (raw batch inserts 41,000-50,000 rows/s);
it met 12 of the 25 targets below. The run reported here reused that dataset half an hour later, at
this round's last code. Earlier that day, at ac9a139, a fresh clone's `time make bench` took 15.5
minutes (install, the build in 7.5 minutes at 7,073 events/s, 7.7 minutes of measurements, a fast
hour: batch inserts 49,000-54,000 rows/s) and met 15 of the 25. Earlier rounds:
a run that had to build it took **14.4 minutes**
from a fresh clone of that round's code (at 9077c70, before the review's fixes and the registration
cache) on 2026-11-29 at 06:14 UTC (`time make bench`: install, the build in 10.0 minutes at 5,336
events/s, then 4.2 minutes of measurements), and 13.9 minutes half an hour before at 2226e8e. The same command took 31.7 minutes earlier that night (before 04:00 UTC;
build 22.5 minutes at 2,363 events/s, measurements 8), over the 30-minute target, while this
machine's raw baselines ran at 35-40 % of their speed at 06:00; on 2026-11-28 one such run took 21.8
minutes. So the 30 minutes hold on this machine's usual days and not on its slowest. On 2026-12-02, a slow
day (raw inserts at a third to a half of 2026-11-29's), a fresh clone's build stopped at its budget
(then 23 minutes) with 2,871,587 events in 326 of the 392 COs (2,075 events/s), and its measurements
ran 9 more minutes before the pages section failed (fixed since): over 30 minutes that day; the build
now leaves 13 minutes to the measurements, so on such a day the dataset is smaller still (the report
says so), and the dataset kept is that partial one until it is dropped. On 2026-12-03 (06:12 UTC,
this round's code but for the review's last fixes) the whole dataset was built from an empty database
in 16.6 minutes (3,194 events/s, all 392 COs), and two runs reusing it took 15.4 and 13.3 minutes: a
fresh clone's `make bench` that day would take 30 to 32 minutes with the install, at the target; the
measurements' share grew this round (the append section keeps a read model now). A run that reuses
the dataset takes 10 to 16 minutes. All traffic is on 127.0.0.1; the API server (`ledger run`,
uvicorn) runs in a subprocess, the load clients in the bench process, all on the same cores. SQLite is
not benchmarked: the issue's targets are PostgreSQL's (SQLite runs the same code in `make test`)."""

DATASET = """\
**{events:,} events in {cos} COs**: {counties} demo counties of `ledger seed-demo` at scale {scale} (seeds
{seed}..{last_seed}; the first county keeps the seed's ids TC-001..TC-056, the others are renamed
TC2-001..), written through `Appender.append` (the API's path: rules, event store, index, Merkle log,
signed checkpoint per batch of 1,000) by {workers} writer processes in **{minutes:.1f} minutes
({rate:,.0f} events/s)**, {built_at}; {reused}.{complete}

Why not one county at scale 6.6, which would also hold 3 million events: until the third round the
dividend rule (`DividendPaid` may not exceed the member's entitlement nor the declared total) summed
every earlier payment of the distribution, so writing a county cost time in the square of a CO's
members, and one county at scale 6.6 did not fit the 30-minute budget. The rule now reads running
totals, so the cost per event no longer grows with the CO; the dataset stays the seven counties so
that the rounds compare on the same rows, and view latency at the larger COs of a scale-6.6 county is extrapolated below."""

EXTRAPOLATION = """\
Clearly marked estimates, from this run's figures: (a) writing the {events:,} events took the build
rate above ({rate:,.0f} events/s with two writers); one county at scale 6.6 (about {single_events:,.0f}
events) would take about {single_minutes:.0f} minutes at that rate, now that the dividend rule's cost no
longer grows with the CO (see Dataset). (b) View latency grows with the number of events of the CO
known at the asked position (the view reads the period's facts, what it carries forward from
earlier periods, and the earlier journal as per-year sums); a least-squares line over all samples of this run, evaluated at CO sizes of a scale-6.6
county (6.6x the seed's), gives:"""

CHANGES = """\
## What was changed to get here (files, why, effect measured on this machine)

### Eighth round (issue 15: the views' own work, and where it goes; this run's code)

Measured on 2026-12-03 from 13:30 UTC (a slow hour: raw batch inserts 41,000-50,000 rows/s) on this
dataset, in a process of its own: the facts of 20 random yearly views as known now held in memory and
the views computed from them (the bench's "computed from facts in memory", which in the bench's own
process read about a third slower that day), same questions before and after.

- `projections/views/yearly.py`: under rules v2 the yearly view computed the v1 balance sheet, income
  statement and return on operating assets, then replaced them with the 2023 layouts' (three
  statements, each a dozen passes over the journal). Only the rules' own are computed now. The
  computation from facts in memory: 17.7 -> 16.3 ms a yearly view.
- `projections/views/yuan.py`: the yuan strings made one call per value; now one per container, each
  key's new name remembered. 16.3 -> 15.2 ms. Tests: a property test against the plain recursion
  (random nested rows, clashes refused); 150 sampled answers of this dataset (three kinds, known now and
  earlier) have the same SHA-256 before and after, and the regression suite's demo hashes hold.
- Tried and dropped: sorting facts with `operator.attrgetter` in place of a lambda (0.30 against 0.30
  ms for 4,668 facts), and the views with the cyclic collector off for the whole process (p50 of 40
  yearly views 38.1 and 40.2 ms with it, 39.5 and 43.2 without: no difference beyond noise).
- `tests/bench/bench_views.py`: the table "Where the views' time goes" above, from the same questions
  asked again in three parts timed apart, with the floor ratio the computation alone allows.
- Where a single append's CPU goes now (py-spy `--gil` on a one-worker API under 8 clients, 1,881
  samples of the thread holding the GIL; 169 events/s, 5.2 ms of API CPU an event): the worker
  threads 58 % (the append 43 %: SQLAlchemy executing statements, Core and the library's ORM session,
  15 %, the batch context's reads before the lock 11 %, the log head 4 %, the events' insert 3 %, the
  rules 6 %; the token's lookup 5 %; the thread machinery the rest), the event loop about 40 %
  (uvicorn, the ASGI middlewares, FastAPI's dependencies and validation, handing requests to threads;
  a fifth of all samples had stacks py-spy cut short, most of them on this side). No part is large enough that
  removing it would bring the single-event figure near its target.
- Found on the way: the property test of a red-ink reversal in the same month could draw a
  "2024-02-30" reversal (day 27 + 3), which falls outside February and failed; it draws real days now.

### Seventh round (issue 15: the write path's round trips, statements made once)

Measured by the author within minutes, old and new alternating, on 2026-12-03 from 10:55 UTC (a fast
day: raw batch inserts 44,000-58,000 rows/s, the library's save path 10,500-11,900 events/s), on a
scratch database with the bench's own functions (`http_batches`, `http_concurrent`: 20,000 events in
batches of 100; 8 clients of 250 single events), the API as one worker with `--with-projector` unless
said; medians where repeated.

- `projections/store/read_model.py` (`add_totals`): psycopg2's `executemany` sends one statement a row,
  and SQLAlchemy passed the totals' upsert (`ON CONFLICT DO UPDATE`) to it: about a tenth of the API's
  time in batches (py-spy). Now one multi-row statement. HTTP batches 2,219 -> 2,718 events/s.
- `adapters/sql/pipeline.py` (new), `append_store.py`, `tlog.py`: after the events' insert an append's
  writes need no answer (the Merkle nodes, the signed checkpoint, the log head, the entries index, the
  references, the registry rows, the idempotency record): on PostgreSQL they are kept and sent as one
  string of statements, one round trip instead of seven, their values quoted by psycopg2 (`mogrify`,
  the quoting psycopg2 always does on the client). `adapters/sql/recorder.py`: the library's table lock,
  its NOTIFY and the insert are one string too (three round trips were one each), ids matched back by
  their (originator, version) keys. `projections/inline.py`, `store.write_inline_block`: the inline
  projection's eight statements (active generation, last position before the batch, savepoint,
  conditional tracking move, the facts, the totals' position, their upsert, release) are one PL/pgSQL
  block in one round trip, the same conditions checked inside it. So a single-event append makes 10
  statements instead of about 20, 3 of them (and the commit) while it holds the table lock. SQLite
  keeps statement by statement (in process, a statement costs no round trip). In process, single
  events with the inline projection: 6.5 -> 4.1 ms each; batches of 100: 25.1 -> 21.8 ms. Tests
  (both databases): values with every character a client-side rendering could get wrong (`%`,
  quotes, backslashes, braces, `$inline$`, Chinese) stored, indexed, remembered, replayed and
  projected as written, the view's hash equal to a replay's; the round trips after the lock counted
  (3, on PostgreSQL); mutants (no `%` doubling, a dollar tag that can collide) fail them.
- `entrypoints/http/replica.py`: the read-choice headers were an `@app.middleware("http")`
  (Starlette's BaseHTTPMiddleware: a task and memory streams per request); now plain ASGI. 8 clients
  158 -> 176 events/s, the API's CPU 5.8 -> 5.2 ms an event.
- `requirements.in`: uvloop and httptools, which uvicorn picks when installed: 8 clients 176 -> 184
  events/s (4.9 ms of API CPU an event), batches 2,802 -> 3,051.
- Two API workers, as docker-compose.yml runs them (with the projection worker in a process of its
  own): 8 clients 175 -> 215 events/s (p99 60 -> 50 ms), 32 clients 165 -> 196, batches of 100 within
  noise (2,854 and 2,774: one client waits for each answer). The append section of this bench now runs
  that shape, and measures where each append's CPU goes (the table above).
- `store.read_selection`, `selection_statements`: the selection's SQLAlchemy statements were built
  anew for every view (two sets of up to six, thousands of expression objects): on a CO of 3,000 events
  that took longer than running them. They are made once per generation, view and shape, with
  parameters for the values. `reads.py`, `store.lag`, `store.totals_ready`: the statements every view
  asks made once too, and a view reads the read model's state (its lag, and whether it serves the
  prefix) in one statement on one connection (11 statements a monthly view before, 6 now). In process,
  as known now, on a CO of 3,000 events: monthly 9.0 -> 3.4 ms, quarterly 6.7 -> 2.6, yearly 21.2 ->
  5.4; hashes equal to a replay's for 30 questions (three view kinds, three prefixes), and the
  property tests pass. On a CO of 11,118 events the yearly view is 57 ms, of which the statements'
  execution and fetch 19 ms and the view's own Python (member tables, yuan strings, statements,
  reconciliations) the rest: the part that grows with the CO's members.

### Sixth round (issue 15: pre-aggregated totals, the inline projection)

- `projections/selection.py` (`Totals`), `projections/store/read_model.py` (`totals_table`,
  `add_totals`, `build_totals`): the read model keeps monthly totals beside its facts, a row per
  (CO, kind, key, member, month), written in the transaction that writes the facts (the follower's
  batch, the inline projection's append) and built at once by a rebuild. A view as known now (no
  fact of the CO in the read model after its prefix; checked after the totals are read) reads them
  for everything before its period: journal lines per account (602,734 lines of this dataset in
  76,772 rows), shares per member (476,000 allotments and 7,118 transfers in 490,232 rows: the yearly
  view lists every member's shares, so this grain is the output's own), dividends per distribution
  (1,413,746 payments in 1,176 rows; per member only for distributions declared in the period). A
  view known at an earlier position computes the same totals from its facts. The selection's
  definition moved with it: opening sums are dated the first day of their first month (views only
  compare them with month starts), earlier allotments and transfers become one net per member, earlier
  dividends one sum per distribution. The views' bytes did not move: 300 answers sampled on this
  dataset (the three views, known now and earlier, rules v1 and v2) had the same SHA-256 under
  a4255b4 and this code. Tests (both databases): the read model's selection equals `select_facts` known
  now and earlier; totals kept batch by batch equal a rebuild's; a total changed by hand changes the
  view known now and not one known earlier (so the totals really are read); a CO fact after the prefix
  sends the view to its facts; a generation of an earlier release gets its totals from the follower.
  The property test's ledgers now hold members, share transfers, renames and dividends.
  A/B in process on this dataset (40 random questions a view, same seed, a4255b4 then this code, p50):
  monthly known now 53.6 -> 36.9 ms (its raw read 19.1 -> 8.4 ms), quarterly 31.7 -> 31.4, yearly
  157.9 -> 151.5 ms from the totals alone.
- `projections/views/yearly.py`, `views/yuan.py`: the prior year's appropriations (the 2023 income
  statement's comparison column) were computed with every member's row of every plan and thrown away;
  `yuan_strings` made a call per scalar (about 5,000 per yearly view). With both: yearly known now
  151.5 -> 94.8 ms p50 (raw read 18.0 ms), known earlier 122.6 -> 65.6 ms, same hashes.
- Where a yearly view's time goes now (cProfile, 30 yearly views known now, 5.1 s): SQL 30 % (its
  rows: the largest CO, TC3-054, reads 3,352 facts for 2023, among them 1,169 member names, 1,163
  dividends paid in the year, 510 journal lines; psycopg2 turning about 37,000 values into Python
  objects is most of it), rows into facts 10 %, the totals 5 %, the view's own passes and formatting
  the rest (asset register three times, reconciliations, the journal, canonical JSON). Its raw read
  is about 18-27 ms and its output is proportional to the CO's members (one row per member per
  declaration), so neither 1.5x its raw read nor "flat in the CO's size" is reachable by reading
  less; what would reach it is serving the canonical answer itself from a store kept at append time.
- `build_totals` on a rebuild of the 3,190,923 events: first 21.6 s of a 73.8 s rebuild (a unique
  index maintained row by row, the stored JSON parsed once per reference), then 10.4 s of 59.7 s: the
  table filled without its index and indexed once, each attribute text parsed once, the dividends on
  one connection while the journal and shares run on the other. So a rebuild pays about 17 % for them.
- `projections/inline.py` (new), `adapters/sql/append_store.py` (`inline=`), `LEDGER_INLINE_PROJECTION`
  (on by default): an append writes its facts and totals in its own transaction when the active
  generation has projected exactly everything before it (its tracking position is the log's last
  position before the batch, read under the store's table lock), and moves the tracking position in
  the same transaction; otherwise it leaves them to the follower, whose tracking move is now
  conditional on the position it started from (`store.advance_tracking`; `TrackingMoved` ends its
  pass), so the two never write the same facts. Tests (both databases): an append is in the read
  model at its commit and a rebuild gives the same facts and totals; behind the follower it writes
  nothing and goes on once caught up; a follower pass whose page an append projected meanwhile writes
  nothing twice; a group member rolled back after its inline write takes its facts back; an append
  whose generation a swap dropped still commits. After a review: the totals keep the position they
  summed to, moved with the tracking, and are read only when it equals the tracking position (totals
  left behind by a writer that keeps none, such as an earlier release, are made again).
  Measured with `tests/bench/bench_inline.py` (a scratch database, `ledger run --with-projector`, 2 rounds alternating, medians): HTTP batches
  1,253 events/s without, 1,117 with (ranges 1,218-1,287 and 979-1,254: within this machine's noise,
  at most about a tenth); 8 clients 54 vs 71 events/s, p99 272 vs 211 ms; a yearly view asked right
  after an append (a CO of a few thousand events) 525 ms p50 without (the follower polls each second,
  so 99 % of these answers were replays of the stored events) against 145 ms with (all from the read
  model). It stays on: views are current at the commit at a cost to appends within noise. The append
  section of this bench now runs the server as deployed (`--with-projector`), so its figures include
  the inline projection's writes; earlier rounds' append figures had no read model at all.
- `tests/bench/bench_views.py`: the raw read's statements are compiled before its clock starts (they
  were compiled inside it, which flattered the views' ratios), and it runs what the read model runs
  for the answer (totals known now, the facts' sums known earlier).
- The dataset was built from a fresh clone's empty database on 2026-12-03 from 06:12 UTC: all 392 COs,
  3,190,923 events in 999 s (16.6 minutes, 3,194 events/s, two writers), this round's code.

### Fifth round (issue 15: write path and read model, first part)

Issue 15 states its targets as ratios to a baseline of the same work measured in the same run (the
table "Issue 15's targets" above). The "before" of this round is main at fb0791d, measured by this
harness on 2026-12-02 from 20:12 UTC on the same dataset, with four other engineers' tests and
benchmarks sharing the two cores (load average 4-7; raw baselines at a third to a half of
2026-11-29's): HTTP batches 1,136 events/s = 0.047 of the raw insert (24,156 rows/s) and 0.29 of the
eventsourcing library's own save path (3,707 events/s); 8 clients 56 events/s = 0.012 of raw
8-thread commits, p99 204 ms; 32 clients 55 events/s = 0.011, p99 952 ms; rebuild 0.35 of the raw
fold; views known now in process p50 monthly 3.2x, quarterly 6.6x, yearly 7.1x their raw reads;
proofs in process 13.7x (inclusion) and 9.2x (consistency) the raw node read. This run's raw
baselines: {raw_insert} rows/s for inserts and {raw_fold} for the fold; HTTP batches {batch}
events/s, 8 clients {clients} events/s. What changed (A/B measured by each change's author within
minutes, old and new alternating, as ratios):

- `tests/bench/`: the library's save path as a peer of HTTP batches (an `Application` on the same
  SQLAlchemy + psycopg2 recorder saving the same request payloads, 100 per `save`: no rules, index,
  log or HTTP); 32 clients beside 8, each against raw commits from as many threads; the ratio table;
  `--only SECTION` to measure some sections and keep the others from `results.json`; the server's
  `LEDGER_*` settings in the report. The workbench-pages section used to warm every CO of the
  province (776 s under load, which broke the 30 minutes): it now warms the sampled street's COs,
  the ones the auditor sees. Main's bench had stopped at that section since issue 14 changed
  `issue_token` (fixed). One test server helper (`tests/support/server.py`: migrate, `ledger run`,
  ready on `/readyz`) for the bench and the failover tests.
- `application/group_commit.py` (new), `adapters/sql/append_store.py` (`SqlAppendStore.group`),
  `application/append.py`: group commit behind `LEDGER_GROUP_COMMIT_MS` (default 0: off). One
  committer thread gathers the appends waiting (the first waits at most the window, at most 64),
  runs them in arrival order in one transaction, each in its own savepoint under its CO's lock, and
  answers each only after the one commit; a refused append rolls back alone; a failed commit fails
  the group (503). Tested on both databases (refusals beside commits with one COMMIT and no leaf
  gap, same-CO version chains, idempotent replays inside and across groups, a failed commit, a
  savepoint mutant), kill -9 of the API with it on, the race tests with a grouped and an ungrouped
  appender. Measured on the loaded machine, 8 clients: off 17 events/s, 2 ms 16, 5 ms 13; 32
  clients: off 26, 2 ms 12, 5 ms 14 (ratios to raw commits 0.011-0.019 in every setting). It did not
  win, so it stays off: one committer thread runs every append's decisions and a dozen statements in
  sequence, while without it request threads overlap their waits on the database; what a group
  saves (one commit, one table lock) is small beside that. A leader-follower hand-off (the request
  threads take turns leading a group, each doing its own append's work) is the next design.
- `adapters/sql/append_store.py`: the record that is hashed is made with the JSON-parser-only
  decoder when there is no cipher and no compressor (no measurable gain: in process, batches of 100,
  542 vs 543 events/s, 0.087 of raw); registry rows in one statement per table. A test checks that
  every stored leaf hash equals the hash of the record the library's own decoding makes.
- `projections/audit_views.py`: a view from the read model no longer runs `select_facts` again on
  the selection the read model already made (about 10 of 126 ms of a yearly view under cProfile;
  A/B within noise, 0.89-1.14 of the old p50). The property test now checks that the read model's
  selection equals `select_facts` of the replayed facts, attributes included (a min->max mutant in the
  opening sums fails it).

Where the yearly view's time goes (cProfile, 24 yearly views of the largest COs at scale 0.25, 3.0 s):
drawing the view from its facts 48 % (reconciliations, yuan formatting, declarations, and
`turnover` called about 28 times a view, each a pass over the postings), psycopg2 15 %, rows into
facts 11 %, building the statements 5 %, the `lag()` query 4 %. Of the facts a yearly view of the
largest CO reads from before its year, journal lines are already one sum per (account, year); the
rest are member facts (968 dividend payments, 487 qualifications, 487 allotments) and rents: so
per-(CO, account, month) journal sums alone would save the yearly view little; per-member totals
(shares at a date, paid per distribution and member) would replace about 1,950 of its 2,300 earlier
facts. Not built this round.

### Fourth round

This machine's speed changes from day to day and within the hour: the third round's run (2026-11-29
04:30) measured raw baselines of 25,067 rows/s for inserts and 103,894 for the fold, the fourth
round's run (2026-11-29 06:53) 67,012 and 255,530; its figures were dataset build (two writers) 2,363 events/s, HTTP
batches 948 events/s, 8 clients 82 events/s; the fourth round's are 5,336 (the build of the
Dataset section), 3,117 and 218. So the effects below are A/B measurements, the old and the
new code run alternately within minutes.

- `services/ledger/ledger/adapters/store.py` (`lock_org`), `appending.py` (a bug, found while
  measuring): two batches of one CO at once could both pass a rule only one may. Each read the CO
  before the other stored anything, and the store's table lock came only at the insert; two
  payments of 2,000 yuan to a member entitled to 3,500 were both stored (a test forcing that
  interleaving failed on PostgreSQL). An append now takes a lock per CO (a transaction-scoped
  advisory lock) before it reads: batches of one CO run one after the other, batches of different
  COs still overlap until the table lock. Cost: one statement per append (about 0.25 ms). Tested on
  both databases by holding batch A between its reads and its writes until batch B is seen waiting.
- `appending.py`: with the CO's lock held, the CO's log head is read at the start instead of under
  the table lock: one statement less while every other append waits (single event, in process:
  table lock to commit 1.93 -> 1.76 ms, median of 400 appends).
- `services/ledger/ledger/stored_events.py` (new), `context.py`: the stored events of the entities a
  batch read (members, assets, leases...) are kept for the CO's next batch, valid while the CO's log
  has not moved: its size and latest signed checkpoint, read under the CO's lock, change with every
  batch of the CO, whoever appends it, so another API process's appends are seen, and a log restored
  and grown back to the same size is another version (tested on both databases: shares moved by
  another appender count for the next dividend; versions it wrote are the versions expected; a kept
  entity is not read again; mutants fail). After a commit the batch's own events are added as
  stored, decoded when first read. At most 25 MB of stored bytes (about 4 times that in memory; the
  three largest demo COs written by one process: peak RSS 130 -> 171 MB); final entities are kept
  once, among the finals. One writer, 13,138 events of the largest demo CO in batches of 1,000, in
  process, three alternations: 4,089 -> 4,539 events/s (median); HTTP batches of 100, two
  alternations: 2,601 -> 2,851 and 2,710 -> 3,077 events/s. A review of the round found its first
  version keyed on the size alone (a restored log could match again), counted events rather than
  bytes, and let one oversized CO empty the others' entries; all three were fixed before this run.
- `services/projections/projections/store.py` (views): the facts' attribute texts are parsed as one
  JSON array instead of one `json.loads` per row (7 -> 2 ms for 6,000 attribute texts). In process
  on this dataset, 60 questions, two alternations: yearly view known now p50 75 -> 58 ms, quarterly
  7.7 -> 6.8 ms, monthly 5.2 -> 4.7 ms.
- `reading.py` keeps each CO's registration row once read (the organizations table is now
  append-only in the database, like the event tables), one query less per API request that names a
  CO; inclusion proofs over HTTP, 300 warm questions, two runs each:
  p50 3.53-4.07 -> 3.27-3.39 ms (p99 unchanged, about 5.2-5.5 ms; pausing or freezing the server's
  garbage collector did not change it either).
- Tried and reverted, no effect that could be told from noise: a shorter GIL switch interval in the
  API server and one append at a time per process (8 clients: 209 -> 200 and 194 events/s), sort
  keys by `operator.attrgetter`, the selection loop with its method calls inlined. Two API workers
  were slower with the load client on the same two cores (8 clients 156, batches 1,325 events/s).

### Third round

Compared with the second round's run (3 runs, 2026-11-28 18:20, on a faster day: its raw baselines
were 41,423 rows/s for inserts and 164,178 for the fold, the third round's 25,067 and 103,894):
dataset build (two writers) 2,828 -> 2,363 events/s; HTTP batches 1,264 -> 948 events/s;
8 clients 111 -> 82 events/s; in process, proofs p50 at first touch (what the second round
measured) inclusion 6.60 -> 8.44 ms and consistency 4.25 -> 6.21 ms, asked
again (warm, new here) 3.50 and 2.93 ms.

- `services/ledger/ledger/context.py`, `domain/catalog.py`, `domain/distribution.py` (appends): the
  dividend rule summed every earlier payment of the distribution on every `DividendPaid` (in all,
  and again for the member): time in the square of a CO's members. The rule now asks the context for
  `citing_totals(distribution, "dividend", "amount", by="member_id")`: summed once per batch, then kept
  running as the batch cites new payments (and corrected if a counted entity changes). The first
  minutes of two builds of this dataset on this machine the same morning, two writers each: 1,900 ->
  2,263 events/s; at scale 0.25 the rule's share of a cProfile fell from 18 % to 11 % of the time.
  Tested through the real appender on both databases: the same refusals (entitlement, declared total)
  whether the earlier payments are stored, earlier in the same batch, or both; a mutant that stops
  counting same-batch payments fails 8 of those tests.
- `services/ledger/ledger/log/proofs.py` (proofs): a proof at the latest size takes its checkpoint
  from the head it already read (one statement less). Tried and reverted: the nodes by two arrays
  (`unnest`, the raw baseline's statement) instead of `(level, idx) IN (...)`: its effect could not
  be told apart from the cache and the day's speed, and one statement for both databases is simpler
  (the third round's figures were measured with it, at fa72911).
- `tests/bench/bench_proofs.py`: a proof's first touch is timed apart, then the same questions in
  process, raw and over HTTP, equally warm (the raw baseline used to run on the pages the in-process
  pass had just read: its 14x ratio was mostly cache).
- `tests/bench/bench_dataset.py`: writer processes stop when the bench process is gone (a stopped
  bench left two writers running for up to 17 minutes, which skewed every figure measured meanwhile);
  `run.py` lets the build use up to 23 of the 30 minutes (the measurements take about 7 to 9).
- `services/ledger/ledger/checks.py` (new): the identity, version and reference checks moved out of
  `appending.py` (the module had grown past the 300 lines the architecture test allows); an empty
  batch is refused by name (`batch-not-empty`) instead of an `IndexError` (the API already refused it).

### Second round

Compared with the first round's run (3 runs on the same 3,190,923 events, 2026-11-28 12:57): rebuild
40,529 -> 69,938 events/s and 0.18 -> 0.44 of the raw fold; views as known now, in process, p50:
monthly 48.2 -> 9.2 ms, quarterly 52.0 -> 15.2 ms, yearly 68.1 -> 79.7 ms. The machine was slower
that time (the raw baselines of appends fell from 55,912 to 41,423 rows/s and of the rebuild from
231,106 to 164,178 rows/s), so ratios compare better than figures.

- `services/projections/projections/store/setbased.py` (new) and `projector.py` (rebuild): on PostgreSQL
  a rebuild no longer pulls every event through Python. One `INSERT ... SELECT` per range of
  positions parses each stored state once as `jsonb` (`OFFSET 0` keeps PostgreSQL from parsing it
  again for every column that reads it: 2.2 s -> 0.7 s for 50,000 events), expands voucher lines and
  flags with `jsonb_array_elements`, and writes the rows `facts_of` writes (attrs as JSON text that
  parses to the same value). Events of another shape (a transcoded value besides the timestamp, a
  NUL) are made by `facts_of` in Python in the same transaction. Each batch of 250,000 positions is
  two ranges on two connections (one core each: 55,800 -> 110,300 events/s over 400,000 events);
  tracking moves when both are committed, and a build stopped in between deletes the rows above its
  tracking position before it goes on. The three indexes are built two at a time. Tested: row for
  row against `facts_of` (every event type of the demo county, a NUL, a line without memo), a build
  stopped between its ranges, and the views' hashes after a rebuild against replay on both databases.
- `services/projections/projections/selection.py` (new), `store.py`, `audit.py` (views): a view used
  to read every fact of the CO effective by the period end (the median CO has about 6,000). Now
  each view reads its selection: its period's facts, the kinds it carries forward from earlier
  (monthly: reversals; quarterly: leases, rents, assets, matters, flags and no books; yearly:
  everything), the lines of vouchers a reversal cites, and the earlier journal lines as one sum per
  (account, year) from January 1 of the year before, one per account before that (the views read
  earlier lines only through sums bounded by the period start and those two January firsts). The
  read model makes the selection in SQL (three statements, served by a new covering index on
  `(org_id, kind, effective_date, position)`); `answer` makes it in Python from a replay
  (idempotent), so both paths hand the views the same facts. Tested: a hypothesis property that every
  view of the selection is byte-identical to the view of all the facts (random ledgers, prefixes,
  periods up to the year after the data, and the check that it catches a lumped-together sum), the
  same over every CO of the demo county (members, dividends, flags), and read model = replay.
- `audit.py`: the CO's prefix (last position, tree size, recorded time) is one backward index probe
  instead of a count over the CO's entries plus a lookup; `store.facts_table` returns one `Table`
  per generation, so SQLAlchemy's statement cache recognises the view statements (they were compiled
  anew on every view: about 5 ms).
- `tests/bench/bench_views.py`: the raw baseline of a view runs the read model's own statements
  (`store.selection_statements`) through psycopg2 and fetches the rows.
- `services/ledger/ledger/context.py`, `appending.py` (appends): entities whose class has no event
  but its creating one (dividends, vouchers, distributions, meetings, tenders...) never change once
  stored; the appender keeps those it read from the store (at most 200,000), so the dividend rule no
  longer loads every earlier payment of the distribution again in every batch. 6,000 events of a
  demo CO (1,653 of them dividends) in batches of 100, in process under cProfile: 1,107 -> 1,231
  events/s. Tested: the same refusal from kept entities as from the store.
- `ledger run --workers N` (`LEDGER_WORKERS`; PostgreSQL only): several API processes. Measured on
  the append scratch database with 2 workers: 8 clients 111 -> 128 events/s, batches of 100 not
  faster (one client sends one request at a time). The bench runs one worker, as `make run` does.

### First round

Before/after figures below were measured on the development copy of the dataset (one county at
scale 1.0, 455,234 events) unless stated.

- `services/ledger/ledger/context.py` (append): the batch context loaded every entity a rule looked
  at with one `repository.get` (one query) each, and asked the references table once per rule call.
  The dividend rule looks at every earlier payment of the distribution, so a batch of 1,000 payments
  made ~14,000 queries and ~4.5 million entity lookups. Now: the batch's entities and the ids its
  payloads cite are loaded in bulk (one query per 500 ids, aggregates reconstructed from their stored
  events exactly as the repository does, with the library's mapper), their citations are read once
  per batch, and "who cites X" is an index kept up to date as the batch cites. Writing the county at
  scale 1.0 (two COs, one writer, under cProfile): 409 -> 1,401 events/s; the whole county with two
  writers: about 4,000 events/s; the 8-client and batch appends gain the same way.
- `services/ledger/ledger/appending.py` (append): passes the cited ids to the prefetch; reads the CO's
  log head once per batch instead of twice (one statement less under the table lock).
- `services/ledger/ledger/log/tlog.py` (append, proofs): `append_leaves` takes the head the caller
  read; node lookups use `(level, idx) IN (...)` (a cached statement) instead of an OR of ANDs built
  and compiled per proof: inclusion proof p50 5.1 -> 4.0 ms under cProfile.
- `services/projections/projections/projector.py` (rebuild): reads the feed by position in pages of
  10,000 with the state as text (`convert_from`: PostgreSQL hands psycopg2 text 4x faster than bytea),
  decodes a state whose only transcoded value is its timestamp with one `json` call (the library's
  transcoder otherwise; same values), takes from each record only what `facts_of` reads, reads the
  next page and writes the previous one in two helper threads while the main thread makes facts, and
  pauses the cyclic garbage collector during a rebuild (it walked the heap again and again as pages
  aged). Rebuild of 455,234 events: 9,991 -> 41,000-46,700 events/s, peak RSS about 200-290 MB.
- `services/projections/projections/store.py` (rebuild, views): a new generation is filled by `COPY`
  (CSV) with only its primary key, and its two indexes are built once before the swap (0.8 s for
  500,000 facts) and the table analysed; facts are read back as plain tuples into `Fact`s without the
  keyword call, and only those a view reads (below).
- `services/projections/projections/audit.py` (views): the read model is asked only for the facts
  `answer` uses: those effective by the period end, plus the CO's settings events whatever their
  date (`answer` reads the settings from the whole prefix and drops everything else after the
  period end itself, so the bytes and hashes cannot change); `answer` computes the period end once.
  Views as known now at scale 1.0: monthly p50 125 -> ~45-70 ms, quarterly 160 -> ~55-65 ms, yearly
  175 -> ~85-120 ms.
- `tests/bench/` (new): this harness. `make test` is unchanged and green (no bench module is
  collected: they are named `bench_*.py`)."""

MISSED = """\
**1 and 2, appends.** A batch of 100 events runs the whole product per event: pydantic contract
validation, the domain rules (which read other entities), the eventsourcing library's mapper
(encoding each event), the record that is hashed, the Merkle leaves and nodes, a signed checkpoint,
the entries index with six indexes, the references, the idempotency record, and the read model's
facts and totals (the inline projection). The table "Where the appends' CPU goes" above is the
measurement of the limit: in batches of 100 the API's CPU an event and PostgreSQL's (writing about
40 rows an event where the raw baseline writes one) come one after the other (the one client waits for
each answer); in the seventh round's measurement, in process, 9-10 ms of a batch's 22-27 ms were
PostgreSQL executing the three statements after the lock (the events, the ledger's rows, the read
model's rows) and the rest Python, spread over the steps above with no single hot spot (profiles
below). The library's bare save path does one of those steps. Single events: an append needs 7-9 ms
of CPU of the two cores (API, PostgreSQL, client: the table), so this machine bounds it at about 230
to 280 appends/s whoever runs them; the raw baseline commits one four-column
row at about 0.1 ms. Tried in the seventh round besides what landed: group commit again (after the round
trips were cut): 8 clients 184 (off) and 176 events/s (2 ms window) with less CPU an event (4.2
against 4.9 ms for the API) -- one committer thread still runs every append's statements in turn,
so it stays off. What would move the single-event figure is less CPU an append: the HTTP half
(FastAPI's request and response models, the token's lookup, the thread hand-off) and the statements'
Python (SQLAlchemy Core for the reads before the lock).

**3, rebuild.** The facts are now made inside PostgreSQL (see the changes), two ranges at once, so
the rebuilding Python process only waits (its peak RSS is the figure above; the work is in two
PostgreSQL backends, whose memory is PostgreSQL's own: `work_mem` and shared buffers, not the
events). The plan below shows where PostgreSQL spends it: about 5-6 microseconds a state on parsing
the text into `jsonb`, the rest on expanding lines, building the attribute JSON and inserting; the
three indexes (about 10 s) come on top: in an earlier round's plan, about 9 microseconds of CPU an
event for the facts' statement alone. The table "Where the rebuild's CPU goes" measures the whole of
it in this run, from /proc: PostgreSQL's CPU an event over the rebuild (facts, indexes, totals), and
the ceiling it allows with both cores busy all the time, below 0.8 of the raw fold. The baseline does less:
it reads each state and takes one number out of it. Tried and measured: the Python rebuild (about
40,000 events/s), SQL without `OFFSET 0` (20,000: PostgreSQL parsed each state once per column),
four ranges at once (slower than two on two cores). What would reach the target: facts written at
append time in the same transaction (a rebuild would then copy, not derive; it would no longer
re-derive the read model from the log, which is what a rebuild is for), or more cores.

**4, views.** A view reads its selection (the period's facts, what it carries forward, the totals
that stand for everything earlier: a few statements, now made once) and then computes the view in
Python: turning the rows into facts, the view's passes (balance sheet, income statement, asset
register and roll-forward, reconciliations, lease ageing, and for the yearly view one row per member
per distribution declared), yuan strings, canonical JSON and its hash. The raw baseline runs the
same statements and fetches the rows, nothing more; so the ratio to it is the view's own Python over
the rows' transfer. The table "Where the views' time goes" measures the parts in the same run: the
computation from facts already in memory is by itself comparable to the raw read or larger (about
twice for the yearly view), so even a read costing no more than the raw one would leave every view
above 1.5x (the floor column); and the selection adds Python around the same statements (the rows
made into facts, the monthly totals into the facts that stand for earlier periods). That work grows with what the answer holds (the yearly view lists every
member of each distribution declared), so 1.5x the raw read and "flat in the CO's size" are not
reachable by computing faster in Python; what would reach them is serving the answer already computed
for that exact prefix (a view of a given CO prefix never changes: the workbench already keeps such
answers in memory, `ui/workbench.py`; the JSON API and the workbooks do not). Not done: an answer asked
again would be fast, the first ask would not, and the targets are about the first.

**5, proofs.** A proof is four statements on one connection (the head, the leaf with its stored
event, the nodes, the checkpoint at that size, skipped at the head's size) plus re-hashing the leaf
from the stored bytes and the RFC 9162 walk. The dataset (about 2 GB of events, nodes and index) is
far larger than PostgreSQL's 128 MB of shared buffers, so a random proof first touches pages that
are in no cache: the "first touch" rows, up to several milliseconds more than the same proof asked
again (about 1 ms on this run's fast morning).
Until the third round the raw baseline ran right after the in-process pass, on the pages it had just
read, so its ratio was unfair (14x); now both are measured equally warm. In this run (a fast
morning) every proof met 5 ms in process, at first touch too (p99 3.5 ms), and over HTTP the
inclusion proof met it (p50 3.6, p99 4.9 ms) and the consistency proof its p50 (3.2 ms) but not its
p99 (5.5 ms); earlier that night the third round's code took 3.5 ms in process and 8.6 ms over HTTP
(p50). Over HTTP a proof costs about 2 ms more than in process (FastAPI, the bearer
token's lookup, the JSON body with the leaf's record and the signed note, in the server process). Tried: nodes by two arrays with `unnest` (the baseline's statement;
no effect that could be told apart from the cache, reverted), the checkpoint from the head at the latest size. Next: one statement for head, leaf and checkpoint (a lateral join), a plain
connection instead of an ORM session (about 0.3 ms a statement in SQLAlchemy here), and
shared_buffers sized to the log's nodes for first touches."""

CPU = """\
What the table shows: a single-event append (8 clients) costs the API {api:.1f} ms of CPU (its round
trips to PostgreSQL do not count: they are waits), PostgreSQL {pg:.1f} ms and the load client
{client:.1f} ms, so one append needs about {total:.1f} ms of the machine's {cores} cores whoever runs
it: at most about {most:,.0f} appends/s on this machine, with the cores shared by all three (measured:
{rate:,.0f} with 8 clients, {busy:.2f} cores busy). The raw baseline of 8 threads commits one
four-column row at about 0.1 ms of CPU. So "0.10 of raw 8-thread commits" ({tenth:,.0f} events/s in
this run; with 32 clients at most {most32:,.0f} appends/s against {target32:,.0f} for "0.15 of raw 32-thread
commits") is out of reach on {cores} cores while an append's work costs what it does; what is left is
the API's CPU an event (about half of it HTTP in the seventh round's profile: uvicorn, FastAPI,
pydantic, the token's lookup, the thread hand-offs; half the append itself: rules, encoding, hashing,
SQLAlchemy's statements before the lock, rendering the statements after it; see the profiles) and
PostgreSQL's (the index, log and read-model rows: about 40 rows written an event). In batches of 100
the API spends {b_api:.2f} ms an event and PostgreSQL {b_pg:.2f} ms, and the one client waits for each
answer before it sends the next: the machine is about half idle, and a batch's time is the API's CPU
and PostgreSQL's one after the other (the ceiling column: the API's CPU alone would allow about
{b_ceiling:,.0f} events/s on {cores} cores). With PostgreSQL's and the client's, a batched event needs
{b_total:.2f} ms of CPU: at most {b_most:,.0f} events/s on {cores} cores even with every core busy all
the time, against {b_target:,.0f} for "0.15 of the raw insert" and {peer:,.0f} for "1.0x the library's
save path" in this run: both out of reach while an event's work costs what it does."""


VIEW_TIME = """\
What the table shows: the floor column is above 1.5 for every view: even if everything but its
computation cost no more than the raw read, a view would stay above "1.5x the raw read", because its
computation from facts in memory is by itself comparable to the raw read of its rows or larger (for the
yearly view about twice: the answer's own size sets it, every member of each distribution declared,
every lease and asset, every amount written as a yuan string). The selection less the raw read is
Python and SQLAlchemy around the same statements: the read model's state (one more statement), each
row made into a fact (its attributes' JSON parsed, one object a fact), the monthly totals folded into
the facts that stand for earlier periods; for the yearly view it costs more than the raw read itself.
The profiles below give the computation's parts; none is a hot spot."""
