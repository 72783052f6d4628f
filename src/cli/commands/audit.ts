import { queryAudit } from '../../security/audit-log.ts';
import { parse, printTable, withDatabase } from '../../security/cli-support.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'audit',
  summary: 'Audit trail, newest first: writes, refusals, logins, restricted reads',
  usage: 'audit [--actor X] [--resource Type/id] [--since date] [--limit n] [--json]',
  async run(args) {
    const { values } = parse(args, {
      actor: { type: 'string' }, resource: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
    });
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      console.error('--limit attend un entier positif');
      return 2;
    }
    return withDatabase(async (db) => {
      const rows = await queryAudit(db, { actor: values.actor, resource: values.resource, since: values.since, limit });
      if (values.json) {
        for (const r of rows) console.log(JSON.stringify(r));
      } else {
        printTable(rows.map((r) => ({
          seq: r.seq, at: r.recordedAt, actor: r.actor, kind: r.actorKind, action: r.action, outcome: r.outcome,
          resource: r.resource, version: r.versionId, source: r.source, from: r.remoteAddr,
        })));
      }
      return 0;
    });
  },
};
