// D PouchDB clients (in-memory local databases), R documents each, all
// replicating at once (push then pull, once each) to express-pouchdb over HTTPS:
// the same load scripts/load-bench.sh drives against Nightround.
// Usage: node pouch-load.js URL DEVICES RECORDS LAYOUT(per-org|one-org) SERVER_PID
'use strict';
const fs = require('fs');
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));

const [url, devicesArg, recordsArg, layout, serverPid] = process.argv.slice(2);
const D = Number(devicesArg);
const R = Number(recordsArg);

function usage(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = Number((status.match(/VmHWM:\s+(\d+)/) || [0, 0])[1]);
  const after = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop().trim().split(/\s+/);
  return { hwmKiB: hwm, cpuS: (Number(after[11]) + Number(after[12])) / 100 };
}

function contact(d, i) {
  const doc = {
    _id: `${String(d).padStart(4, '0')}-${String(i).padStart(6, '0')}`,
    type: 'contact',
    at: new Date().toISOString(),
    area_id: i % 2 === 0 ? 'york_road' : 'ambleside_drive',
    kind: 'outreach_conversation',
    wellbeing: i % 5 === 0 ? ['distressed'] : [],
    supplies: [{ item_id: 'condoms', quantity: 5 }],
    safeguarding_acknowledged: false,
  };
  if (i % 4 === 0) doc.note = 'Talked about the drop-in on Thursday';
  return doc;
}

async function main() {
  const locals = [];
  for (let d = 0; d < D; d++) {
    const local = new PouchDB(`local-${d}`, { adapter: 'memory' });
    const docs = [];
    for (let i = 0; i < R; i++) docs.push(contact(d, i));
    await local.bulkDocs(docs);
    const remoteName = layout === 'one-org' ? 'shared' : `org-${d}`;
    locals.push({ local, remote: `${url}${remoteName}` });
  }
  if (layout === 'one-org') await new PouchDB(`${url}shared`).info();
  const before = usage(serverPid);
  const t = process.hrtime.bigint();
  let errors = 0;
  let pushed = 0;
  let pulled = 0;
  const errs = new Set();
  await Promise.all(
    locals.map(async ({ local, remote }) => {
      try {
        // Push, then pull, as a Nightround phone's sync does.
        const up = await local.replicate.to(remote, { batch_size: 100 });
        pushed += up.docs_written;
        const down = await local.replicate.from(remote, { batch_size: 100 });
        pulled += down.docs_written;
      } catch (e) {
        errors += 1;
        errs.add(String(e && (e.message || e.name || e)));
      }
    }),
  );
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  const after = usage(serverPid);
  console.log(
    `LOAD pouchdb layout=${layout} devices=${D} records=${R} wall_s=${wall.toFixed(2)} ` +
      `records_per_s=${((D * R) / wall).toFixed(0)} errors=${errors} pushed=${pushed} pulled=${pulled} ` +
      `server_peak_rss_mib=${(after.hwmKiB / 1024).toFixed(0)} server_cpu_s=${(after.cpuS - before.cpuS).toFixed(1)}`,
  );
  for (const e of [...errs].slice(0, 5)) console.log(`  error: ${e}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
