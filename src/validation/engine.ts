import type { Issue } from '../fhir/outcome.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { checkInvariant } from './invariants.ts';
import { msg, type Where } from './messages.ts';
import type { Binding, CodingSlice, ElementRule, ExtensionRule, InvariantKey, OrgVariant, Profile, Text } from './model.ts';
import { valueSetName } from './profiles/urls.ts';

/**
 * Enforces a profile written as data (model.ts) on a resource and returns every violation, each with
 * the FHIRPath of the element (indices included). Codes are checked through the Terminology.
 */

export interface EngineOptions {
  /** Add an information issue for each code whose value set is not loaded (default: silent). */
  reportUncheckedValueSets?: boolean;
}

type Json = Record<string, unknown>;
interface Coding { system?: string; code?: string; display?: string }

interface Run {
  terminology: Terminology;
  issues: Issue[];
  variant?: OrgVariant;
  options: EngineOptions;
}

/** What a single value must satisfy (an element occurrence, or the value of an extension). */
interface ValueSpec {
  label: Text;
  binding?: Binding;
  fixed?: unknown;
  pattern?: unknown;
  elements?: ElementRule[];
  extensions?: ExtensionRule[];
  invariants?: InvariantKey[];
}

export function validateAgainstProfile(profile: Profile, resource: Json, terminology: Terminology, options: EngineOptions = {}): Issue[] {
  const run: Run = { terminology, issues: [], options, variant: profile.variantOf?.(resource) };
  const root: Where = { path: profile.resourceType, short: '' };
  checkElements(run, profile.elements, resource, root);
  checkExtensions(run, profile.extensions, resource.extension, root);
  return run.issues;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const capType = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
const join = (a: string, b: string) => (a ? `${a}.${b}` : b);

function checkElements(run: Run, rules: ElementRule[] | undefined, obj: Json, where: Where): void {
  if (!rules) return;
  for (const rule of rules) checkElement(run, rule, obj, where);
}

/** The JSON key holding a choice element `name[x]` (e.g. `valueString` for `value[x]`). */
function choiceKey(obj: Json, prefix: string): string | undefined {
  for (const k of Object.keys(obj)) {
    if (k.length > prefix.length && k.startsWith(prefix)) {
      const c = k.charCodeAt(prefix.length);
      if (c >= 65 && c <= 90) return k;
    }
  }
  return undefined;
}

function checkElement(run: Run, rule: ElementRule, obj: Json, where: Where): void {
  let key = rule.name;
  if (rule.name.endsWith('[x]')) {
    const prefix = rule.name.slice(0, -3);
    const found = choiceKey(obj, prefix);
    key = found ?? (rule.types?.length === 1 ? prefix + capType(rule.types[0]) : rule.name);
    if (found && rule.types && !rule.types.some((t) => prefix + capType(t) === found)) {
      run.issues.push(msg.wrongType(rule.label, { ...where, path: `${where.path}.${found}`, short: join(where.short, found) }, rule.types.map((t) => prefix + capType(t)), found));
      return;
    }
  }
  const raw = obj[key];
  const isArray = Array.isArray(raw);
  const items = raw === undefined || raw === null ? [] : isArray ? (raw as unknown[]) : [raw];
  const here: Where = { path: `${where.path}.${key}`, short: join(where.short, key), top: where.top };

  if (rule.variants && run.variant && items.length > 0 && !rule.variants.includes(run.variant)) {
    run.issues.push(msg.wrongVariant(rule.label, here, run.variant, rule.variants));
  }
  if (rule.min && items.length < rule.min) run.issues.push(msg.required(rule.label, here, rule.min, items.length));
  if (rule.max !== undefined && items.length > rule.max) run.issues.push(msg.tooMany(rule.label, here, rule.max, items.length));
  if (items.length === 0) return;

  const inner: Where = { ...here, top: where.top ?? rule.label };
  if (rule.slicing) checkSlices(run, rule, items, isArray, here, inner);
  const spec: ValueSpec = {
    label: rule.label,
    binding: rule.slicing ? undefined : rule.binding,
    fixed: rule.fixed,
    pattern: rule.pattern,
    elements: rule.elements,
    extensions: rule.extensions,
    invariants: rule.invariants,
  };
  items.forEach((item, i) => {
    checkValue(run, spec, item, { ...here, path: isArray ? `${here.path}[${i}]` : here.path }, inner.top);
  });
}

/** Checks one value: fixed/pattern, binding, invariants, then its children and extensions. */
function checkValue(run: Run, spec: ValueSpec, value: unknown, where: Where, childTop: Text | undefined): void {
  if (spec.fixed !== undefined && !deepEqual(value, spec.fixed)) run.issues.push(msg.fixedValue(spec.label, where, spec.fixed, value));
  if (spec.pattern !== undefined && !matchesPattern(value, spec.pattern)) run.issues.push(msg.patternValue(spec.label, where, spec.pattern));
  if (spec.binding) checkBinding(run, spec.binding, value, spec.label, where);
  if (spec.invariants) {
    for (const key of spec.invariants) {
      const found = checkInvariant(key, value, spec.label, where);
      if (found) run.issues.push(found);
    }
  }
  if (!isObject(value) || (!spec.elements && !spec.extensions)) return;
  const inner: Where = { ...where, top: childTop };
  checkElements(run, spec.elements, value, inner);
  checkExtensions(run, spec.extensions, value.extension, inner);
}

function checkExtensions(run: Run, rules: ExtensionRule[] | undefined, exts: unknown, where: Where): void {
  if (!rules || rules.length === 0) return;
  const list = Array.isArray(exts) ? exts : [];
  for (const rule of rules) {
    const found: number[] = [];
    list.forEach((e, i) => {
      if (isObject(e) && e.url === rule.url) found.push(i);
    });
    const short = rule.url.slice(rule.url.lastIndexOf('/') + 1);
    const here: Where = { path: `${where.path}.extension('${rule.url}')`, short: where.top ? join(where.short, short) : short, top: where.top };
    if (rule.variants && run.variant && found.length > 0 && !rule.variants.includes(run.variant)) {
      run.issues.push(msg.wrongVariant(rule.label, { ...here, path: `${where.path}.extension[${found[0]}]` }, run.variant, rule.variants));
    }
    if (rule.min && found.length < rule.min) run.issues.push(msg.required(rule.label, here, rule.min, found.length));
    if (rule.max !== undefined && found.length > rule.max) {
      run.issues.push(msg.tooMany(rule.label, { ...here, path: `${where.path}.extension[${found[rule.max] ?? found[0]}]` }, rule.max, found.length));
    }
    for (const i of found) {
      checkExtension(run, rule, list[i] as Json, { path: `${where.path}.extension[${i}]`, short, top: where.top ?? rule.label });
    }
  }
}

function checkExtension(run: Run, rule: ExtensionRule, ext: Json, where: Where): void {
  const valueKey = choiceKey(ext, 'value');
  if (rule.extensions) {
    if (valueKey) run.issues.push(msg.valueForbidden(rule.label, { ...where, path: `${where.path}.${valueKey}` }, valueKey));
    checkExtensions(run, rule.extensions, ext.extension, where);
    return;
  }
  if (!rule.value) return;
  const expected = `value${capType(rule.value.type)}`;
  if (!valueKey) {
    run.issues.push(msg.required(rule.label, { ...where, path: `${where.path}.${expected}` }, 1, 0));
    return;
  }
  if (valueKey !== expected) {
    run.issues.push(msg.wrongType(rule.label, { ...where, path: `${where.path}.${valueKey}` }, [expected], valueKey));
    return;
  }
  checkValue(run, { label: rule.label, ...rule.value }, ext[valueKey], { ...where, path: `${where.path}.${valueKey}` }, where.top);
}

// ---------------------------------------------------------------------------------------------
// Slices of repeated CodeableConcepts (HealthcareService.specialty/characteristic, meta.tag, Task.input…)

/** The system of a coding when it is a string (a malformed one is reported by the base R4 layer). */
const systemOf = (c: Coding): string | undefined => (typeof c.system === 'string' ? c.system : undefined);

function codingsOf(cc: unknown): Coding[] {
  if (!isObject(cc)) return [];
  if (Array.isArray(cc.coding)) return cc.coding.filter(isObject) as Coding[];
  if ('system' in cc || 'code' in cc) return [cc as Coding];
  return [];
}

function extensionCode(cc: unknown, url: string): string | undefined {
  const exts = isObject(cc) && Array.isArray(cc.extension) ? cc.extension : [];
  const e = exts.find((x) => isObject(x) && x.url === url) as Json | undefined;
  return typeof e?.valueCode === 'string' ? e.valueCode : undefined;
}

function matchSlice(run: Run, slices: CodingSlice[], cc: unknown): CodingSlice | undefined {
  const codings = codingsOf(cc);
  const candidates = slices.filter(
    (s) =>
      s.systems?.some((sys) => codings.some((c) => c.system === sys)) ||
      s.codes?.some((k) => codings.some((c) => c.system === k.system && c.code === k.code)),
  );
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    return candidates.find((s) => s.discriminator && extensionCode(cc, s.discriminator.url) === s.discriminator.code) ?? candidates[0];
  }
  // A system we did not list (value sets drawing on several code systems): ask the value sets.
  for (const s of slices) {
    if (!s.binding || s.codes) continue;
    for (const c of codings) {
      if (typeof c.code === 'string' && run.terminology.validateCode(s.binding.valueSet, systemOf(c), c.code).result === 'valid') return s;
    }
  }
  return undefined;
}

function checkSlices(run: Run, rule: ElementRule, items: unknown[], isArray: boolean, here: Where, inner: Where): void {
  const slicing = rule.slicing!;
  const counts = new Map<CodingSlice, number>();
  items.forEach((item, i) => {
    const itemPath = isArray ? `${here.path}[${i}]` : here.path;
    const cc = slicing.path ? (isObject(item) ? item[slicing.path] : undefined) : item;
    const ccWhere: Where = {
      path: slicing.path ? `${itemPath}.${slicing.path}` : itemPath,
      short: slicing.path ? join(here.short, slicing.path) : here.short,
      top: inner.top,
    };
    const slice = matchSlice(run, slicing.slices, cc);
    if (!slice) {
      if (slicing.others !== 'allow') {
        const c = codingsOf(cc)[0];
        run.issues.push(msg.unmatchedSlice(slicing.others === 'error' ? 'error' : 'warning', rule.label, ccWhere, c && systemOf(c), c?.code === undefined ? undefined : String(c.code)));
      }
      return;
    }
    counts.set(slice, (counts.get(slice) ?? 0) + 1);
    if (slice.variants && run.variant && !slice.variants.includes(run.variant)) {
      run.issues.push(msg.wrongVariant(slice.label, { ...ccWhere, path: itemPath }, run.variant, slice.variants));
    }
    if (slice.binding) checkBinding(run, slice.binding, cc, slice.label, ccWhere, slice.systems);
    if (slice.extensions) checkExtensions(run, slice.extensions, isObject(cc) ? cc.extension : undefined, { ...ccWhere, top: inner.top ?? slice.label });
    if (slice.elements && isObject(item)) checkElements(run, slice.elements, item, { path: itemPath, short: here.short, top: inner.top ?? slice.label });
  });
  for (const slice of slicing.slices) {
    const n = counts.get(slice) ?? 0;
    if (slice.min && n < slice.min) {
      const vs = slice.binding ? ` (${valueSetName(slice.binding.valueSet)})` : '';
      const label = { fr: `${slice.label.fr}${vs}`, en: `${slice.label.en}${vs}` };
      run.issues.push(msg.required(label, { ...here, top: here.top }, slice.min, n));
    }
    if (slice.max !== undefined && n > slice.max) run.issues.push(msg.tooMany(slice.label, here, slice.max, n));
  }
}

// ---------------------------------------------------------------------------------------------
// Bindings

/**
 * Required binding: a `code`, a Coding, or a CodeableConcept of which at least one coding is in the
 * value set. `systems` narrows a sliced CodeableConcept to the codings of its slice.
 */
function checkBinding(run: Run, binding: Binding, value: unknown, label: Text, where: Where, systems?: string[]): void {
  if (binding.strength !== 'required') return;
  const vsName = valueSetName(binding.valueSet);
  if (typeof value === 'string') {
    checkCodes(run, binding, [{ coding: { code: value }, where }], label, where, vsName);
    return;
  }
  if (!isObject(value)) return;
  if (!Array.isArray(value.coding) && !('code' in value) && !('system' in value)) {
    run.issues.push(msg.noCode(label, where, vsName));
    return;
  }
  const entries: { coding: Coding; where: Where }[] = [];
  if (Array.isArray(value.coding)) {
    const mine = systems?.length ? value.coding.some((c) => isObject(c) && systems.includes(c.system as string)) : false;
    value.coding.forEach((c, i) => {
      if (!isObject(c)) return;
      if (mine && !systems!.includes(c.system as string)) return;
      entries.push({ coding: c as Coding, where: { ...where, path: `${where.path}.coding[${i}].code` } });
    });
  } else {
    entries.push({ coding: value as Coding, where: { ...where, path: `${where.path}.code` } });
  }
  checkCodes(run, binding, entries, label, where, vsName);
}

function checkCodes(run: Run, binding: Binding, entries: { coding: Coding; where: Where }[], label: Text, where: Where, vsName: string): void {
  const coded = entries.filter((e) => typeof e.coding.code === 'string' && e.coding.code !== '');
  if (coded.length === 0) {
    run.issues.push(msg.noCode(label, where, vsName));
    return;
  }
  const invalid: typeof coded = [];
  let unchecked = false;
  for (const e of coded) {
    const check = run.terminology.validateCode(binding.valueSet, systemOf(e.coding), e.coding.code!);
    if (check.result === 'valid') {
      if (check.concept.retired) run.issues.push(msg.retiredCode(label, e.where, e.coding.code!, check.concept.display, vsName));
      return;
    }
    if (check.result === 'invalid') invalid.push(e);
    else unchecked = true;
  }
  if (invalid.length === 0) {
    if (unchecked && run.options.reportUncheckedValueSets) run.issues.push(msg.valueSetNotLoaded(label, where, vsName));
    return;
  }
  for (const e of invalid) {
    run.issues.push(msg.codeNotInValueSet(label, e.where, systemOf(e.coding), e.coding.code!, vsName, binding.valueSet));
  }
}

// ---------------------------------------------------------------------------------------------
// fixed / pattern

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a as Json);
  const kb = Object.keys(b as Json);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Json)[k], (b as Json)[k]));
}

/** FHIR pattern semantics: every property of the pattern is present; each pattern array item matches some item. */
function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return value === pattern;
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (!isObject(value)) return false;
  return Object.entries(pattern as Json).every(([k, p]) => matchesPattern(value[k], p));
}

