import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import type { Commune } from '../api.ts';
import { useSession } from '../session.tsx';
import { BINDINGS, type Answer, type Code, type Json, type Place } from './bindings.ts';
import { CodePicker, CommunePicker } from './pickers.tsx';
import { chooseTemplate, loadValueSetSystems, type QItem, type Questionnaire } from './templates.ts';

type Kind = 'HealthcareService' | 'Organization' | 'Location';
const TITLES: Record<Kind, string> = { HealthcareService: 'Modifier l’offre', Organization: 'Modifier la structure', Location: 'Modifier le lieu' };

const MIN = 'http://hl7.org/fhir/StructureDefinition/minValue';
const MAX = 'http://hl7.org/fhir/StructureDefinition/maxValue';
const REGEX = 'http://hl7.org/fhir/StructureDefinition/regex';
const FMT = 'http://hl7.org/fhir/StructureDefinition/entryFormat';
const CONSTRAINT = 'http://hl7.org/fhir/StructureDefinition/questionnaire-constraint';
const extVal = (i: QItem, url: string) => (i.extension ?? []).find((e) => e.url === url);

const leaves = (items: QItem[] = []): QItem[] => items.flatMap((i) => (i.type === 'group' ? leaves(i.item) : [i]));
const empty = (v: Answer) => v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** The template's own checks (required, bounds, format, constraints between items), French messages by linkId. */
export function checkAnswers(q: Questionnaire, answers: Record<string, Answer>): Record<string, string> {
  const e: Record<string, string> = {};
  for (const i of leaves(q.item)) {
    const v = answers[i.linkId];
    if (i.required && empty(v)) {
      e[i.linkId] = `${i.text} : champ obligatoire`;
      continue;
    }
    if (empty(v)) continue;
    if (i.type === 'integer') {
      const n = Number(v);
      const min = extVal(i, MIN)?.valueInteger as number | undefined;
      const max = extVal(i, MAX)?.valueInteger as number | undefined;
      if (!Number.isInteger(n)) e[i.linkId] = `${i.text} : nombre entier attendu`;
      else if (min !== undefined && n < min) e[i.linkId] = min === 0 ? `${i.text} : la valeur ne peut pas être négative` : `${i.text} : ${min} au minimum`;
      else if (max !== undefined && n > max) e[i.linkId] = `${i.text} : ${max} au maximum`;
    }
    const re = extVal(i, REGEX)?.valueString as string | undefined;
    if (re && typeof v === 'string' && !new RegExp(re, 'i').test(v.trim())) {
      const example = extVal(i, FMT)?.valueString as string | undefined;
      e[i.linkId] = /mssante/.test(re)
        ? `${i.text} : adresse de messagerie sécurisée invalide, elle se termine par .mssante.fr${example ? ` (ex. ${example})` : ''}`
        : `${i.text} : format invalide${example ? ` (ex. ${example})` : ''}`;
    }
  }
  // Constraints written `a <= b` between two items (e.g. the age range).
  const groups = (items: QItem[] = []): QItem[] => items.flatMap((i) => [i, ...groups(i.item)]);
  for (const g of groups(q.item)) {
    for (const c of (g.extension ?? []).filter((x) => x.url === CONSTRAINT)) {
      const expr = (c.extension as Json[]).find((x) => x.url === 'expression')?.valueString as string;
      const human = (c.extension as Json[]).find((x) => x.url === 'human')?.valueString as string;
      const m = /^(\w+)\s*<=\s*(\w+)$/.exec(expr ?? '');
      if (!m) continue;
      const a = answers[m[1]];
      const b = answers[m[2]];
      if (!empty(a) && !empty(b) && Number(a) > Number(b) && !e[m[1]]) e[m[1]] = human;
    }
  }
  return e;
}

/**
 * The edit form of an offer, a structure or a place, generated from the applicable entry template
 * (Questionnaire) and the NOS value sets: template checks on the page, then the server's `$validate`
 * (messages put back on their fields), then `PUT` with `If-Match`. A concurrent change (412) is never
 * overwritten: the person is told and may reload.
 */
export function EditResourcePage({ type, id }: { type: Kind; id: string }) {
  const session = useSession();
  const [resource, setResource] = useState<Json | null>(null);
  const [version, setVersion] = useState<string | null>(null);
  const [template, setTemplate] = useState<Questionnaire | null>(null);
  const [systems, setSystems] = useState<Record<string, Set<string>>>({});
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [other, setOther] = useState<string[]>([]);
  const [conflict, setConflict] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  const headers = useCallback((extra: Record<string, string> = {}) => ({
    Accept: 'application/fhir+json', ...(session.csrfToken ? { 'x-csrf-token': session.csrfToken } : {}), ...extra,
  }), [session.csrfToken]);

  const load = useCallback(async () => {
    setConflict(null);
    setSaved(false);
    setErrors({});
    setOther([]);
    const res = await fetch(`/fhir/${type}/${encodeURIComponent(id)}`, { headers: headers(), credentials: 'same-origin' });
    if (!res.ok) {
      setLoadError(res.status === 404 ? 'Cette fiche est introuvable ou vous n’y avez pas accès.' : `Erreur ${res.status} au chargement de la fiche.`);
      return;
    }
    const r = (await res.json()) as Json;
    const q = await chooseTemplate(type, r);
    const labels = new Map<string, string>();
    const sys = await loadValueSetSystems(q, labels);
    const a: Record<string, Answer> = {};
    for (const i of leaves(q.item)) {
      const b = BINDINGS[i.linkId];
      if (!b) continue;
      const v = b.read(r, sys[i.answerValueSet ?? ''] ?? new Set());
      // Codes are shown by their NOS label, even when the stored coding has no display.
      a[i.linkId] = Array.isArray(v) && i.linkId !== 'zone'
        ? (v as Code[]).map((c) => ({ ...c, display: labels.get(`${c.system}|${c.code}`) ?? labels.get(`${i.answerValueSet}|${c.code}`) ?? c.display }))
        : v;
    }
    setResource(r);
    setVersion(res.headers.get('etag') ?? (r.meta?.versionId ? `W/"${r.meta.versionId}"` : null));
    setTemplate(q);
    setSystems(sys);
    setAnswers(a);
  }, [type, id, headers]);

  useEffect(() => {
    document.title = `${TITLES[type]} — ROR`;
    if (session.user === null) window.location.assign(`/connexion?retour=${encodeURIComponent(window.location.pathname)}`);
    if (session.user) void load();
  }, [session.user]); // eslint-disable-line react-hooks/exhaustive-deps

  /** The resource with the answers written in, and which validation paths each item owns. */
  const build = (): { next: Json; owners: [string, string][] } => {
    const next = JSON.parse(JSON.stringify(resource)) as Json;
    delete next.meta?.security;
    const owners: [string, string][] = [];
    for (const i of leaves(template!.item)) {
      const b = BINDINGS[i.linkId];
      if (!b) continue;
      for (const p of b.write(next, answers[i.linkId] ?? null, systems[i.answerValueSet ?? ''] ?? new Set(), answers)) owners.push([p, i.linkId]);
    }
    return { next, owners };
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setSaved(false);
    setOther([]);
    const local = checkAnswers(template!, answers);
    setErrors(local);
    if (Object.keys(local).length) {
      summary.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const { next, owners } = build();
      // The server's own checks (profile, NOS codes, phone / e-mail / MSS formats) before saving.
      const v = await fetch(`/fhir/${type}/$validate`, { method: 'POST', credentials: 'same-origin', headers: headers({ 'Content-Type': 'application/fhir+json' }), body: JSON.stringify(next) });
      const outcome = (await v.json()) as { issue?: { severity: string; expression?: string[]; details?: { text?: string } }[] };
      const fieldErrors: Record<string, string> = {};
      const unplaced: string[] = [];
      for (const issue of (outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal')) {
        const expr = issue.expression?.[0] ?? '';
        const owner = owners.filter(([p]) => expr === p || expr.startsWith(`${p}.`) || expr.startsWith(`${p}[`)).sort((a, b) => b[0].length - a[0].length)[0];
        const text = issue.details?.text ?? 'Valeur refusée';
        if (owner && !fieldErrors[owner[1]]) fieldErrors[owner[1]] = text;
        else unplaced.push(text);
      }
      if (Object.keys(fieldErrors).length || unplaced.length || !v.ok) {
        setErrors(fieldErrors);
        setOther(v.ok ? unplaced : [`Vérification impossible (erreur ${v.status})`]);
        summary.current?.focus();
        return;
      }
      const res = await fetch(`/fhir/${type}/${encodeURIComponent(id)}`, {
        method: 'PUT', credentials: 'same-origin',
        headers: headers({ 'Content-Type': 'application/fhir+json', ...(version ? { 'If-Match': version } : {}) }),
        body: JSON.stringify(next),
      });
      if (res.status === 412) {
        setConflict('Quelqu’un d’autre a modifié cette fiche depuis que vous l’avez ouverte. Vos changements n’ont pas été enregistrés, pour ne pas effacer les siens : rechargez la fiche pour voir la version actuelle, puis refaites vos modifications.');
        summary.current?.focus();
        return;
      }
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { issue?: { details?: { text?: string } }[] };
        setOther((body.issue ?? []).map((i) => i.details?.text ?? '').filter(Boolean).concat(body.issue ? [] : [`Erreur ${res.status}`]));
        summary.current?.focus();
        return;
      }
      // The stored version (with what the server added) becomes the form's new base.
      await load();
      setSaved(true);
      summary.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <Alert severity="error" title="Fiche indisponible" description={loadError} />;
  if (!template || !resource) return <p role="status">Chargement du formulaire…</p>;
  const set = (k: string, v: Answer) => setAnswers((a) => ({ ...a, [k]: v }));
  const errorCount = Object.keys(errors).length + other.length;

  const field = (i: QItem) => {
    const label = `${i.text}${i.required ? ' (obligatoire)' : ''}`;
    const err = errors[i.linkId];
    const state = err ? { state: 'error' as const, stateRelatedMessage: err } : {};
    const hint = extVal(i, FMT)?.valueString as string | undefined;
    if (i.type === 'choice' || i.type === 'open-choice') {
      if (i.linkId === 'zone') {
        return <CommunePicker key={i.linkId} id={`f-${i.linkId}`} label={i.text} required={i.required} multiple error={err}
          value={((answers[i.linkId] as Place[]) ?? []) as unknown as Commune[]} onChange={(v) => set(i.linkId, v.map((c) => ({ code: c.code, name: c.name })))} />;
      }
      return <CodePicker key={i.linkId} id={`f-${i.linkId}`} label={i.text} required={i.required} multiple={i.repeats} error={err}
        valueSet={i.answerValueSet!} value={(answers[i.linkId] as Code[]) ?? []} onChange={(v) => set(i.linkId, v)} />;
    }
    if (i.type === 'integer') {
      return <Input key={i.linkId} label={label} {...state}
        nativeInputProps={{ id: `f-${i.linkId}`, type: 'number', inputMode: 'numeric', value: answers[i.linkId] === null || answers[i.linkId] === undefined ? '' : String(answers[i.linkId]),
          onChange: (e) => set(i.linkId, e.target.value === '' ? null : Number(e.target.value)) }} />;
    }
    if (i.type === 'text') {
      return <Input key={i.linkId} label={label} textArea {...state}
        nativeTextAreaProps={{ id: `f-${i.linkId}`, value: String(answers[i.linkId] ?? ''), onChange: (e) => set(i.linkId, e.target.value) }} />;
    }
    return <Input key={i.linkId} label={label} hintText={hint ? `Ex. ${hint}` : undefined} {...state}
      nativeInputProps={{ id: `f-${i.linkId}`, value: String(answers[i.linkId] ?? ''), onChange: (e) => set(i.linkId, e.target.value) }} />;
  };

  return (
    <div>
      <h1>{TITLES[type]}</h1>
      <p>{String(resource.name ?? id)} — modèle de saisie « {template.title} »</p>
      <div ref={summary} tabIndex={-1} aria-live="polite">
        {conflict && (
          <Alert severity="warning" title="Modification concurrente" role="alert" className={fr.cx('fr-mb-3w')} id="conflit"
            description={<>{conflict} <Button type="button" size="small" onClick={() => void load()} id="recharger">Recharger la fiche</Button></>} />
        )}
        {errorCount > 0 && !conflict && (
          <Alert severity="error" small role="alert" className={fr.cx('fr-mb-3w')} id="erreurs"
            description={<>Rien n’a été enregistré : {errorCount} point(s) à corriger.{other.length > 0 && <ul>{other.map((o) => <li key={o}>{o}</li>)}</ul>}</>} />
        )}
        {saved && <Alert severity="success" small role="status" className={fr.cx('fr-mb-3w')} id="enregistre" description="Modifications enregistrées : elles sont visibles dans la recherche." />}
      </div>
      <form onSubmit={submit} noValidate>
        {(template.item ?? []).map((g) => (
          <fieldset key={g.linkId} className={fr.cx('fr-fieldset')}>
            <legend className={fr.cx('fr-fieldset__legend')}><h2 className={fr.cx('fr-h4')}>{g.text}</h2></legend>
            <div style={{ width: '100%' }}>{(g.type === 'group' ? g.item ?? [] : [g]).map(field)}</div>
          </fieldset>
        ))}
        <Button type="submit" disabled={busy || !!conflict} id="enregistrer">Enregistrer</Button>
      </form>
    </div>
  );
}
