/**
 * HTTP routes of the professional self-registration (JSON, under /api/inscription):
 * - `GET  /api/inscription/rpps/:numero`  identity pre-filled from the imported RPPS data (404 unknown, 403 closed profession)
 * - `POST /api/inscription`                { rpps, email, password } → disabled account + confirmation e-mail
 * - `POST /api/inscription/confirmer`      { token } → account enabled, signed in (session cookie + CSRF token)
 * - `GET  /api/inscription/offre`          the signed-in professional's city offer as the form edits it
 * - `PUT  /api/inscription/offre`          writes it (cabinet, places, one offer + practice per activity)
 */
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.ts';
import type { Queryable } from '../db/database.ts';
import { FhirError } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import { CommuneDirectory } from '../geo/commune-directory.ts';
import { geoDataDir } from '../geo/shared-data.ts';
import { SESSION_COOKIE } from '../security/sessions.ts';
import type { RequestContext } from '../store/context.ts';
import { SYSTEM } from '../security/principal.ts';
import { ApiFailure } from '../web/api-errors.ts';
import { buildCityOffer, checkCityOffer, cityIds, readCityOffer, type CityOfferInput } from './city-offer.ts';
import { OPEN_PROFESSIONS, openProfession } from './professions.ts';
import { confirm, FieldErrors, findRppsIdentity, readCurrent, register, registrationSettingsFromEnv, type RppsIdentity } from './registration.ts';

const J33 = 'https://mos.esante.gouv.fr/NOS/JDV_J33-CompetenceSpecifique-ROR/FHIR/JDV-J33-CompetenceSpecifique-ROR';
const COMPETENCE_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R243-CompetenceSpecifique/FHIR/TRE-R243-CompetenceSpecifique';

/** The public origin of the web app: from ROR_BASE_URL (its FHIR base) when set, else from the request. */
function webOrigin(services: Services, req: FastifyRequest): string {
  if (services.config.baseUrl) return services.config.baseUrl.replace(/\/fhir\/?$/, '');
  return `${req.protocol}://${req.host}`;
}

export async function registerRegistrationRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const settings = registrationSettingsFromEnv();
  const communes = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));
  const isCompetence = (code: string) => services.terminology.validateCode(J33, COMPETENCE_SYSTEM, code).result === 'valid';

  await app.register(async (api) => {
    api.setErrorHandler((err, req, reply) => {
      if (err instanceof FieldErrors) return reply.code(422).send({ error: { code: err.code, fr: err.fr, en: err.en }, fields: err.fields });
      if (err instanceof ApiFailure) return reply.code(err.status).send({ error: { code: err.code, fr: err.fr, en: err.en } });
      if (err instanceof FhirError) {
        const fr = err.issues.map((i) => i.fr).join(' ; ');
        return reply.code(err.status).send({ error: { code: 'refused', fr, en: err.issues.map((i) => i.en).join('; ') } });
      }
      if ((err as { validation?: unknown }).validation || (err as { statusCode?: number }).statusCode === 400) {
        return reply.code(400).send({ error: { code: 'invalid', fr: 'Requête invalide (JSON attendu)', en: (err as Error).message } });
      }
      req.log.error({ err }, 'registration request failed');
      return reply.code(500).send({ error: { code: 'exception', fr: 'Erreur interne du serveur', en: 'Internal server error' } });
    });

    api.get('/professions', { schema: doc('Professions ouvertes à l’inscription et leurs savoir-faire (NOS)') }, async () => ({
      professions: OPEN_PROFESSIONS.map((p) => ({ code: p.code, display: p.display, template: p.template, general: p.general, skills: p.skills })),
    }));

    api.get<{ Params: { numero: string } }>('/rpps/:numero', { schema: doc('Identité d’un professionnel d’après l’Annuaire Santé importé (404 inconnu, 403 profession non ouverte)') }, async (req) => publicIdentity(await findRppsIdentity(services.db, req.params.numero)));

    api.post<{ Body: { rpps?: string; email?: string; password?: string } }>('/', { schema: doc('Inscription { rpps, email, password } : compte désactivé et courriel de confirmation') }, async (req, reply) => {
      const body = (req.body ?? {}) as { rpps?: string; email?: string; password?: string };
      const r = await register(services.db, services.mailer, settings, { rpps: body.rpps ?? '', email: body.email ?? '', password: body.password ?? '' },
        `${webOrigin(services, req)}/inscription/confirmer`);
      return reply.code(201).send({ email: r.email, identity: publicIdentity(r.identity) });
    });

    api.post<{ Body: { token?: string } }>('/confirmer', { schema: doc('Confirmation { token } : compte activé (une seule fois), session ouverte') }, async (req, reply) => {
      const user = await confirm(services.db, (req.body as { token?: string } | undefined)?.token ?? '');
      const s = await services.security.sessions.create(user.id);
      reply.setCookie(SESSION_COOKIE, s.cookie, { path: '/', httpOnly: true, sameSite: 'lax', secure: services.security.settings.cookieSecure, expires: s.expiresAt });
      return { user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role, regions: user.regions, organizations: user.organizations, practitioner: user.practitioner }, csrfToken: s.csrfToken };
    });

    api.get('/offre', { schema: doc('L’offre de ville du professionnel connecté, telle que le formulaire la décrit') }, async (req) => {
      const who = await professionalOf(req);
      const offers = await ownOffers(who);
      const places = await ownPlaces(who);
      const profession = openProfession(who.profession.code)!;
      const offer = readCityOffer(offers, places);
      return {
        identity: publicIdentity(who), profession: { ...who.profession, general: profession.general, skills: profession.skills, template: profession.template },
        offer, offers: offers.filter((o) => o.active !== false).map((o) => o.id), communes: communesOf(offer),
      };
    });

    api.put<{ Body: CityOfferInput }>('/offre', { schema: doc('Enregistre l’offre de ville (422 avec un message par champ)') }, async (req) => {
      const who = await professionalOf(req);
      const profession = openProfession(who.profession.code)!;
      const input = req.body as CityOfferInput;
      if (!input || typeof input !== 'object') throw new FieldErrors({ form: 'Formulaire vide' });
      const fields = checkCityOffer(input, profession, communes, isCompetence);
      if (Object.keys(fields).length) throw new FieldErrors(fields);
      const resources = buildCityOffer(who, profession, input, communes);
      const principal = req.principal;
      // Trusted server-side flow (the cabinet, places and offers are created here, which the professional's own
      // rights do not allow through the FHIR API); every version is attributed to the professional's account.
      const ctx: RequestContext = {
        actor: { id: principal.kind === 'user' ? principal.id : 'anonymous', kind: 'user', display: principal.kind === 'user' ? principal.email : undefined, principal: SYSTEM },
        source: 'form', remoteAddr: req.ip,
      };
      const keep = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
      await services.store.transaction(async (t) => {
        for (const r of resources) await services.store.updateWith(t.tx, r, ctx);
        // Offers of dropped activities and places removed: inactive / deleted, kept in the history.
        for (const o of await ownOffers(who, t.tx)) {
          if (!keep.has(`HealthcareService/${o.id}`) && o.active !== false) await services.store.updateWith(t.tx, { ...o, active: false }, ctx);
        }
        for (const p of await ownPlaces(who, t.tx)) {
          if (!keep.has(`Location/${p.id}`)) await services.store.deleteWith(t.tx, 'Location', p.id!, ctx);
        }
        // The draft city offers the RPPS import pre-filled (incomplete, imported leniently) are superseded by the ones described here.
        for (const draft of await rppsDrafts(who, t.tx)) await services.store.updateWith(t.tx, { ...draft, active: false }, { ...ctx, validation: 'lenient' });
        const practitioner = await readCurrent(t.tx, 'practitioner', who.practitionerId);
        if (practitioner && input.mss) {
          const mss = resources.find((r) => r.resourceType === 'HealthcareService')!.telecom as unknown[];
          await services.store.updateWith(t.tx, { ...practitioner, telecom: mss }, ctx);
        }
      });
      const offers = await ownOffers(who);
      const offer = readCityOffer(offers, await ownPlaces(who));
      return { offer, offers: offers.filter((o) => o.active !== false).map((o) => o.id), communes: communesOf(offer) };
    });
  }, { prefix: '/api/inscription' });

  /** The communes an offer names (places and zone), for the form's pickers and map. */
  function communesOf(offer: CityOfferInput | null) {
    const codes = new Set([...(offer?.places ?? []).map((p) => p.communeCode), ...(offer?.zone ?? [])]);
    return Object.fromEntries([...codes].flatMap((c) => (communes.get(c) ? [[c, communes.get(c)]] : [])));
  }

  async function professionalOf(req: FastifyRequest): Promise<RppsIdentity> {
    const p = req.principal;
    if (p.kind !== 'user') throw new ApiFailure(401, 'login', 'Connectez-vous pour décrire votre offre', 'Sign in required');
    if (p.role !== 'professional' || !p.practitioner) throw new ApiFailure(403, 'forbidden', 'Cette page est réservée aux professionnels inscrits', 'Professionals only');
    const practitioner = await readCurrent(services.db, 'practitioner', p.practitioner);
    const rpps = ((practitioner?.identifier ?? []) as { system?: string; value?: string }[]).find((i) => i.system === 'urn:oid:1.2.250.1.71.4.2.1')?.value;
    if (!rpps) throw new ApiFailure(404, 'practitioner-unknown', 'Professionnel introuvable', 'Practitioner not found');
    return findRppsIdentity(services.db, rpps);
  }

  async function ownOffers(who: RppsIdentity, q: Queryable = services.db): Promise<Resource[]> {
    const prefix = cityIds.offer(who.rpps, '');
    const r = await q.query<{ content: Resource }>(
      `SELECT content FROM healthcare_service WHERE id LIKE $1 AND NOT deleted ORDER BY (id = $2) DESC, id`,
      [`${prefix}%`, cityIds.offer(who.rpps, openProfession(who.profession.code)!.general.code)]);
    return r.rows.map((x) => x.content);
  }

  async function ownPlaces(who: RppsIdentity, q: Queryable = services.db): Promise<Resource[]> {
    const r = await q.query<{ content: Resource }>(
      `SELECT content FROM location WHERE id LIKE $1 AND NOT deleted ORDER BY length(id), id`, [`${cityIds.place(who.rpps, 0).replace(/-1$/, '-')}%`]);
    return r.rows.map((x) => x.content);
  }

  /** Active city offers of the practitioner that this form did not create (the RPPS import's drafts). */
  async function rppsDrafts(who: RppsIdentity, q: Queryable = services.db): Promise<Resource[]> {
    const r = await q.query<{ content: Resource }>(
      `SELECT h.content FROM healthcare_service h
       WHERE NOT h.deleted AND NOT h.content @> '{"active": false}'::jsonb AND h.id NOT LIKE $2
         AND h.id IN (SELECT substr(s ->> 'reference', 19) FROM practitioner_role r, jsonb_array_elements(coalesce(r.content -> 'healthcareService', '[]'::jsonb)) s
                      WHERE NOT r.deleted AND r.content -> 'practitioner' ->> 'reference' = $1)`,
      [`Practitioner/${who.practitionerId}`, `${cityIds.offer(who.rpps, '')}%`]);
    return r.rows.map((x) => x.content);
  }
}

/** OpenAPI description of a route (tag « Inscription » of /api/openapi.json). */
function doc(summary: string) {
  return { tags: ['Inscription'], summary };
}

function publicIdentity(i: RppsIdentity) {
  return { rpps: i.rpps, family: i.family, given: i.given ?? null, prefix: i.prefix ?? null, profession: i.profession };
}

