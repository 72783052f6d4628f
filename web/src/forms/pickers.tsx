import { useEffect, useState } from 'react';
import { fr } from '@codegouvfr/react-dsfr';
import { fetchCommunes, type Commune } from '../api.ts';
import { Combobox } from '../Combobox.tsx';

/** A picked code: what is stored (system + code) and what people read (display). */
export interface PickedCode {
  system?: string;
  code: string;
  display: string;
}

/** Concepts of an NOS value set matching the typed text, from `ValueSet/$expand` (accent- and typo-tolerant). */
export async function expandValueSet(url: string, filter: string, signal?: AbortSignal, count = 12): Promise<PickedCode[]> {
  const q = `/fhir/ValueSet/$expand?url=${encodeURIComponent(url)}&count=${count}${filter ? `&filter=${encodeURIComponent(filter)}` : ''}`;
  const res = await fetch(q, { signal, headers: { Accept: 'application/fhir+json' } });
  if (!res.ok) return [];
  const body = (await res.json()) as { expansion?: { contains?: { system?: string; code?: string; display?: string }[] } };
  return (body.expansion?.contains ?? []).filter((c) => c.code).map((c) => ({ system: c.system, code: c.code!, display: c.display ?? c.code! }));
}

function useDebounced<T>(text: string, fetcher: (q: string, s: AbortSignal) => Promise<T[]>, minLength = 0): T[] {
  const [items, setItems] = useState<T[]>([]);
  useEffect(() => {
    if (text.trim().length < minLength) {
      setItems([]);
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => fetcher(text.trim(), ctl.signal).then(setItems).catch(() => undefined), 150);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [text]); // eslint-disable-line react-hooks/exhaustive-deps
  return items;
}

function Chips({ items, onRemove, label }: { items: { key: string; text: string }[]; onRemove: (key: string) => void; label: string }) {
  if (!items.length) return null;
  return (
    <ul className={fr.cx('fr-tags-group', 'fr-mt-1w')} aria-label={label}>
      {items.map((i) => (
        <li key={i.key}>
          <button type="button" className={fr.cx('fr-tag', 'fr-tag--dismiss')} aria-label={`Retirer ${i.text}`} onClick={() => onRemove(i.key)}>
            {i.text}
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * A searchable code picker over an NOS value set: people type words, pick a label; the code is kept.
 * Never shows raw codes alone. `multiple` keeps a list shown as removable tags.
 */
export function CodePicker(props: {
  id: string; label: string; hint?: string; valueSet: string; multiple?: boolean;
  value: PickedCode[]; onChange: (v: PickedCode[]) => void; error?: string; required?: boolean;
}) {
  const [text, setText] = useState(!props.multiple && props.value[0] ? props.value[0].display : '');
  useEffect(() => {
    if (!props.multiple) setText(props.value[0]?.display ?? '');
  }, [props.value[0]?.code]); // eslint-disable-line react-hooks/exhaustive-deps
  const options = useDebounced(text, (q, s) => expandValueSet(props.valueSet, q === (props.value[0]?.display ?? '\u0000') ? '' : q, s));
  return (
    <div className={fr.cx('fr-mb-3w')} data-field={props.id}>
      <Combobox<PickedCode>
        inputId={props.id}
        label={`${props.label}${props.required ? ' (obligatoire)' : ''}`}
        hint={props.hint ?? 'Tapez quelques lettres puis choisissez dans la liste'}
        value={text}
        onValueChange={setText}
        options={options.filter((o) => !props.value.some((v) => v.code === o.code && v.system === o.system))}
        optionKey={(o) => `${o.system}|${o.code}`}
        renderOption={(o) => o.display}
        onSelect={(o) => {
          if (props.multiple) {
            props.onChange([...props.value, o]);
            setText('');
          } else {
            props.onChange([o]);
            setText(o.display);
          }
        }}
        statusText={options.length ? `${options.length} propositions` : ''}
        errorText={props.error}
      />
      {props.multiple && (
        <Chips label={props.label} items={props.value.map((v) => ({ key: `${v.system}|${v.code}`, text: v.display }))}
          onRemove={(k) => props.onChange(props.value.filter((v) => `${v.system}|${v.code}` !== k))} />
      )}
      {!props.multiple && props.value[0] && !props.required && (
        <button type="button" className={fr.cx('fr-btn', 'fr-btn--tertiary-no-outline', 'fr-btn--sm')} onClick={() => props.onChange([])}>Effacer</button>
      )}
    </div>
  );
}

/** Communes picked by name (COG 2026, /api/communes), one or several. */
export function CommunePicker(props: {
  id: string; label: string; hint?: string; multiple?: boolean;
  value: Commune[]; onChange: (v: Commune[]) => void; error?: string; required?: boolean;
}) {
  const [text, setText] = useState(!props.multiple && props.value[0] ? props.value[0].name : '');
  useEffect(() => {
    if (!props.multiple) setText(props.value[0]?.name ?? '');
  }, [props.value[0]?.code]); // eslint-disable-line react-hooks/exhaustive-deps
  const options = useDebounced(text, (q, s) => fetchCommunes(q, s), 2);
  return (
    <div className={fr.cx('fr-mb-3w')} data-field={props.id}>
      <Combobox<Commune>
        inputId={props.id}
        label={`${props.label}${props.required ? ' (obligatoire)' : ''}`}
        hint={props.hint ?? 'Nom de la commune, puis choisissez dans la liste'}
        value={text}
        onValueChange={setText}
        options={options.filter((o) => !props.value.some((v) => v.code === o.code))}
        optionKey={(o) => o.code}
        renderOption={(o) => `${o.name} (${o.postcodes[0] ?? o.departement})`}
        onSelect={(o) => {
          if (props.multiple) {
            props.onChange([...props.value, o]);
            setText('');
          } else {
            props.onChange([o]);
            setText(o.name);
          }
        }}
        statusText={options.length ? `${options.length} communes proposées` : ''}
        errorText={props.error}
      />
      {props.multiple && (
        <Chips label={props.label} items={props.value.map((v) => ({ key: v.code, text: v.name }))}
          onRemove={(k) => props.onChange(props.value.filter((v) => v.code !== k))} />
      )}
    </div>
  );
}
