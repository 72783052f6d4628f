import { AccountStore } from '../../security/accounts.ts';
import { recordAdminEvent } from '../../security/audit-log.ts';
import { parse, printTable, readStdinLine, withDatabase } from '../../security/cli-support.ts';
import type { Role } from '../../security/principal.ts';
import type { Command } from '../command.ts';

const USAGE = `ror user add --email E --role national-admin|regional-admin|referent|professional
              [--name N] [--region 11]… [--org ORG_ID]… [--practitioner ID] [--password-stdin]
ror user list
ror user disable --email E`;

export const command: Command = {
  name: 'user',
  summary: 'People\'s accounts: add (password generated and shown once unless --password-stdin), list, disable',
  usage: 'user add|list|disable',
  async run(args) {
    const [sub, ...rest] = args;
    const { values } = parse(rest, {
      email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' },
      region: { type: 'string', multiple: true }, org: { type: 'string', multiple: true },
      practitioner: { type: 'string' }, 'password-stdin': { type: 'boolean' },
    });
    return withDatabase(async (db) => {
      const accounts = new AccountStore(db);
      switch (sub) {
        case 'add': {
          if (!values.email || !values.role) {
            console.error(USAGE);
            return 2;
          }
          const password = values['password-stdin'] ? await readStdinLine() : undefined;
          const { user, generatedPassword } = await accounts.addUser({
            email: values.email, role: values.role as Role, displayName: values.name, regions: values.region,
            organizations: values.org, practitioner: values.practitioner, password,
          });
          await recordAdminEvent(db, 'user-add', user.email, { role: user.role });
          console.log(`Compte créé : ${user.email} (${user.role}, id ${user.id})`);
          if (generatedPassword) console.log(`Mot de passe généré (affiché une seule fois) : ${generatedPassword}`);
          return 0;
        }
        case 'list':
          printTable((await accounts.listUsers()).map((u) => ({
            email: u.email, role: u.role, regions: u.regions, organizations: u.organizations, practitioner: u.practitioner,
            disabled: u.disabled ? 'oui' : 'non', oidc: u.oidcSubject ? 'oui' : 'non', created: u.createdAt,
          })));
          return 0;
        case 'disable': {
          if (!values.email) {
            console.error(USAGE);
            return 2;
          }
          const done = await accounts.disableUser(values.email);
          if (done) await recordAdminEvent(db, 'user-disable', values.email);
          console.log(done ? `Compte désactivé : ${values.email}` : `Aucun compte pour ${values.email}`);
          return done ? 0 : 1;
        }
        default:
          console.error(USAGE);
          return 2;
      }
    });
  },
};
