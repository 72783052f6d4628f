/** Building and reading the ROR anomaly Task (`ror-task`, IG §1.9). */
import type { Resource } from '../fhir/types.ts';
import { REGION_TAG_SYSTEM } from '../fhir/resource-types.ts';
import { ACTION_SYSTEM, ACTIONS, INPUT_SYSTEM, STATUS_SYSTEM, STATUSES, taskStatusOf, THEME_SYSTEM, THEMES } from './codes.ts';

export const ROR_TASK_PROFILE = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-task';

export interface AnomalyInput {
  /** `Type/id` of the resource in error. */
  focus: string;
  theme: string;
  action: string;
  description?: string;
  /** FHIRPath of the element in error, e.g. `HealthcareService.telecom`. */
  path?: string;
  errorValue?: string;
  proposedValue?: string;
  /** Who declares it: the requesting system (IG: systemRequester, mandatory) and, when known, an identifier. */
  systemRequester: string;
  identifierRequester?: { system: string; value: string };
}

const input = (code: string, value: Record<string, unknown>) => ({ type: { coding: [{ system: INPUT_SYSTEM, code }] }, ...value });

/** The Task of a new report, routed to `owner`: business status 02 « À traiter », or 04 when nobody can receive it. */
export function buildAnomalyTask(a: AnomalyInput, route: { owner: string | null; region: string | null }, now = new Date()): Resource {
  const business = route.owner ? '02' : '04';
  const inputs = [
    input('systemRequester', { valueString: a.systemRequester }),
    ...(a.identifierRequester ? [input('identifierRequester', { valueIdentifier: a.identifierRequester })] : []),
    ...(a.path ? [input('pathElementError', { valueExpression: { language: 'text/fhirpath', expression: a.path } })] : []),
    ...(a.errorValue ? [input('errorValue', { valueString: a.errorValue })] : []),
    ...(a.proposedValue ? [input('proposedValue', { valueString: a.proposedValue })] : []),
  ];
  const type = a.focus.split('/')[0];
  return {
    resourceType: 'Task',
    meta: { profile: [ROR_TASK_PROFILE], ...(route.region ? { tag: [{ system: REGION_TAG_SYSTEM, code: route.region }] } : {}) },
    status: taskStatusOf(business),
    businessStatus: { coding: [{ system: STATUS_SYSTEM, code: business, display: STATUSES[business] }] },
    intent: 'order',
    code: { coding: [{ system: THEME_SYSTEM, code: a.theme, display: THEMES[a.theme] }] },
    ...(a.description ? { description: a.description } : {}),
    focus: { reference: a.focus, type },
    ...(route.owner ? { owner: { reference: route.owner, type: 'Organization' } } : {}),
    authoredOn: now.toISOString(),
    lastModified: now.toISOString(),
    reasonCode: { coding: [{ system: ACTION_SYSTEM, code: a.action, display: ACTIONS[a.action] }] },
    input: inputs,
  };
}

/** The same Task with a new business status (and the Task.status that goes with it). */
export function withBusinessStatus(task: Resource, business: string, now = new Date()): Resource {
  return {
    ...task,
    status: taskStatusOf(business),
    businessStatus: { coding: [{ system: STATUS_SYSTEM, code: business, display: STATUSES[business] }] },
    lastModified: now.toISOString(),
  };
}

type Coded = { coding?: { system?: string; code?: string; display?: string }[] } | undefined;
const codeIn = (c: unknown, system: string) => (c as Coded)?.coding?.find((x) => x.system === system)?.code;
type Input = { type?: Coded; valueString?: string; valueExpression?: { expression?: string } };
const inputOf = (t: Resource, code: string) => (t.input as Input[] | undefined)?.find((i) => codeIn(i.type, INPUT_SYSTEM) === code);

/** The report as the web app shows it. */
export interface AnomalySummary {
  id: string;
  theme: { code: string; display: string } | null;
  action: { code: string; display: string } | null;
  status: { code: string; display: string } | null;
  description: string | null;
  path: string | null;
  errorValue: string | null;
  proposedValue: string | null;
  systemRequester: string | null;
  focus: { reference: string; type: string; id: string; name: string | null };
  owner: { reference: string; name: string | null } | null;
  authoredOn: string | null;
  lastModified: string | null;
}

export function summarise(t: Resource, names: Map<string, string>): AnomalySummary {
  const coded = (c: unknown, system: string, labels: Record<string, string>) => {
    const code = codeIn(c, system);
    return code ? { code, display: labels[code] ?? code } : null;
  };
  const focusRef = String((t.focus as { reference?: string } | undefined)?.reference ?? '');
  const [type, id] = focusRef.split('/').slice(-2);
  const ownerRef = (t.owner as { reference?: string } | undefined)?.reference;
  return {
    id: t.id!,
    theme: coded(t.code, THEME_SYSTEM, THEMES),
    action: coded(t.reasonCode, ACTION_SYSTEM, ACTIONS),
    status: coded(t.businessStatus, STATUS_SYSTEM, STATUSES),
    description: typeof t.description === 'string' ? t.description : null,
    path: inputOf(t, 'pathElementError')?.valueExpression?.expression ?? null,
    errorValue: inputOf(t, 'errorValue')?.valueString ?? null,
    proposedValue: inputOf(t, 'proposedValue')?.valueString ?? null,
    systemRequester: inputOf(t, 'systemRequester')?.valueString ?? null,
    focus: { reference: focusRef, type: type ?? '', id: id ?? '', name: names.get(focusRef) ?? null },
    owner: ownerRef ? { reference: ownerRef, name: names.get(ownerRef) ?? null } : null,
    authoredOn: typeof t.authoredOn === 'string' ? t.authoredOn : null,
    lastModified: typeof t.lastModified === 'string' ? t.lastModified : null,
  };
}
