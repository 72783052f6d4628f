import type { Issue } from '../fhir/outcome.ts';
import { msg, type Where } from './messages.ts';
import type { InvariantKey, Text } from './model.ts';

/** Checks that relate several values of one element (the profile data names them by key). */

type Check = (value: unknown, label: Text, where: Where) => Issue | undefined;

const num = (q: unknown): number | undefined => {
  const v = (q as { value?: unknown } | undefined)?.value;
  return typeof v === 'number' ? v : undefined;
};

/** French numbers (10 digits from 0), international (+ and 8–15 digits), or short numbers (15, 3615). */
const PHONE = /^(0\d{9}|\+\d{8,15}|\d{2,4})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MSS = /@([a-z0-9-]+\.)+mssante\.fr$/i;

const CHECKS: Record<InvariantKey, Check> = {
  'range-low-le-high': (value, label, where) => {
    const low = num((value as { low?: unknown })?.low);
    const high = num((value as { high?: unknown })?.high);
    if (low === undefined || high === undefined || low <= high) return undefined;
    return msg.invariant(
      'error',
      `${cap(label.fr)} est incohérente : le minimum (${low}) est supérieur au maximum (${high}) (${where.short})`,
      `${cap(label.en)}: low (${low}) is greater than high (${high})`,
      where,
    );
  },
  'range-non-negative': (value, label, where) => {
    const low = num((value as { low?: unknown })?.low);
    if (low === undefined || low >= 0) return undefined;
    return msg.invariant('error', `${cap(label.fr)} ne peut pas commencer sous zéro (${low}) (${where.short})`, `${cap(label.en)}: low (${low}) is negative`, where);
  },
  'non-negative': (value, label, where) => {
    if (typeof value !== 'number' || value >= 0) return undefined;
    return msg.invariant('error', `${cap(label.fr)} ne peut pas être négatif (${value}) (${where.short})`, `${cap(label.en)} must not be negative (${value})`, where);
  },
  'day-of-week': (value, label, where) => {
    if (typeof value !== 'number' || (value >= 1 && value <= 7)) return undefined;
    return msg.invariant('error', `${cap(label.fr)} doit être compris entre 1 (lundi) et 7 (dimanche), et non ${value} (${where.short})`, `${cap(label.en)} must be 1 (Monday) to 7 (Sunday), found ${value}`, where);
  },
  'period-start-le-end': (value, label, where) => {
    const { start, end } = (value ?? {}) as { start?: unknown; end?: unknown };
    if (typeof start !== 'string' || typeof end !== 'string') return undefined;
    const s = Date.parse(start);
    const e = Date.parse(end);
    if (!Number.isFinite(s) || !Number.isFinite(e) || s <= e) return undefined;
    return msg.invariant(
      'error',
      `${cap(label.fr)} sont incohérentes : le début (${start}) est postérieur à la fin (${end}) (${where.short})`,
      `${cap(label.en)}: start (${start}) is after end (${end})`,
      where,
    );
  },
  // A warning only: a night range (22:00 → 06:00) may be written this way.
  'time-start-le-end': (value, label, where) => {
    const { availableStartTime: s, availableEndTime: e } = (value ?? {}) as { availableStartTime?: unknown; availableEndTime?: unknown };
    if (typeof s !== 'string' || typeof e !== 'string' || s <= e) return undefined;
    return msg.invariant(
      'warning',
      `Dans ${label.fr}, l'heure de début (${s}) est postérieure à l'heure de fin (${e}) (${where.short})`,
      `${cap(label.en)}: availableStartTime (${s}) is after availableEndTime (${e})`,
      where,
    );
  },
  'telecom-value': (value, label, where) => {
    const { system, value: v } = (value ?? {}) as { system?: unknown; value?: unknown };
    if (typeof v !== 'string') return undefined;
    if ((system === 'phone' || system === 'fax') && !PHONE.test(v.replace(/[\s.()-]/g, ''))) {
      return msg.invariant('error', `Le numéro « ${v} » de ${label.fr} n'est pas un numéro de téléphone valide (10 chiffres commençant par 0, ou +indicatif) (${where.short})`,
        `${cap(label.en)}: "${v}" is not a valid phone number`, where);
    }
    if (system === 'email' && !EMAIL.test(v)) {
      return msg.invariant('error', `L'adresse « ${v} » de ${label.fr} n'est pas une adresse électronique valide (${where.short})`,
        `${cap(label.en)}: "${v}" is not a valid e-mail address`, where);
    }
    return undefined;
  },
  'telecom-address': (value, label, where) => {
    // A contact's telecomAddress is a bare string: an e-mail when it has an @, a phone number otherwise.
    if (typeof value !== 'string') return undefined;
    const ok = value.includes('@') ? EMAIL.test(value) : PHONE.test(value.replace(/[\s.()-]/g, ''));
    if (ok) return undefined;
    return msg.invariant('error', `« ${value} » (${label.fr}) n'est ni un numéro de téléphone ni une adresse électronique valide (${where.short})`,
      `${cap(label.en)}: "${value}" is neither a valid phone number nor a valid e-mail address`, where);
  },
  'telecom-mss': (value, label, where) => {
    // The e-mail telecoms of offers, structures and professionals are secure-messaging (MSSanté) boxes.
    const { system, value: v } = (value ?? {}) as { system?: unknown; value?: unknown };
    if (system !== 'email' || typeof v !== 'string' || !EMAIL.test(v) || MSS.test(v)) return undefined;
    return msg.invariant('error', `L'adresse « ${v} » de ${label.fr} n'est pas une adresse de messagerie sécurisée de santé (…@….mssante.fr) (${where.short})`,
      `${cap(label.en)}: "${v}" is not an MSSanté address (…@….mssante.fr)`, where);
  },
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function checkInvariant(key: InvariantKey, value: unknown, label: Text, where: Where): Issue | undefined {
  return CHECKS[key](value, label, where);
}
