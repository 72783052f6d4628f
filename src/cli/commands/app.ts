import { AccountStore } from '../../security/accounts.ts';
import { recordAdminEvent } from '../../security/audit-log.ts';
import { parse, printTable, withDatabase } from '../../security/cli-support.ts';
import type { AccessProfile } from '../../security/principal.ts';
import type { Command } from '../command.ts';

const USAGE = `ror app add --name N --profile 0-5 [--client-id ID] [--scope S]… [--cert-subject "C=FR,O=…,CN=…"]
ror app list
ror app revoke CLIENT_ID`;

export const command: Command = {
  name: 'app',
  summary: 'Consumer applications (OAuth2 client credentials, ROR access profile 0–5): add (secret shown once), list, revoke',
  usage: 'app add|list|revoke',
  async run(args) {
    const [sub, ...rest] = args;
    const { values, positionals } = parse(rest, {
      name: { type: 'string' }, profile: { type: 'string' }, 'client-id': { type: 'string' },
      scope: { type: 'string', multiple: true }, 'cert-subject': { type: 'string' },
    });
    return withDatabase(async (db) => {
      const accounts = new AccountStore(db);
      switch (sub) {
        case 'add': {
          if (!values.name || values.profile === undefined) {
            console.error(USAGE);
            return 2;
          }
          const { app, clientSecret } = await accounts.addApp({
            name: values.name, accessProfile: Number(values.profile) as AccessProfile, clientId: values['client-id'],
            scopes: values.scope, certSubject: values['cert-subject'],
          });
          await recordAdminEvent(db, 'app-add', app.clientId, { accessProfile: app.accessProfile });
          console.log(`Application enregistrée : ${app.name} (profil d'accès ${app.accessProfile})`);
          console.log(`client_id     : ${app.clientId}`);
          console.log(`client_secret : ${clientSecret}   (affiché une seule fois)`);
          return 0;
        }
        case 'list':
          printTable((await accounts.listApps()).map((a) => ({
            client_id: a.clientId, name: a.name, profile: a.accessProfile, scopes: a.scopes, cert_subject: a.certSubject,
            revoked: a.revoked ? 'oui' : 'non', created: a.createdAt,
          })));
          return 0;
        case 'revoke': {
          const id = positionals[0];
          if (!id) {
            console.error(USAGE);
            return 2;
          }
          const done = await accounts.revokeApp(id);
          if (done) await recordAdminEvent(db, 'app-revoke', id);
          console.log(done ? `Application révoquée : ${id}` : `Aucune application ${id}`);
          return done ? 0 : 1;
        }
        default:
          console.error(USAGE);
          return 2;
      }
    });
  },
};
