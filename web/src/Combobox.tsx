import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { fr } from '@codegouvfr/react-dsfr';

export interface ComboboxProps<T> {
  label: string;
  hint?: string;
  placeholder?: string;
  /** Text in the box (controlled). */
  value: string;
  onValueChange: (text: string) => void;
  /** Options for the current text (the caller fetches them). */
  options: T[];
  optionKey: (o: T) => string;
  renderOption: (o: T) => ReactNode;
  onSelect: (o: T) => void;
  /** Announced to screen readers when the list changes. */
  statusText?: string;
  inputId?: string;
  errorText?: string;
}

/**
 * An autocomplete box following the WAI-ARIA combobox pattern (list autocomplete): arrows move in the list,
 * Enter picks, Escape closes; the focus stays in the input, the active option is announced.
 */
export function Combobox<T>(props: ComboboxProps<T>) {
  const uid = useId();
  const inputId = props.inputId ?? `${uid}-input`;
  const listId = `${uid}-list`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const ref = useRef<HTMLDivElement>(null);
  const expanded = open && props.options.length > 0;

  useEffect(() => setActive(-1), [props.options]);
  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);

  const pick = (o: T) => {
    props.onSelect(o);
    setOpen(false);
  };

  return (
    <div ref={ref} className={fr.cx('fr-input-group', props.errorText ? 'fr-input-group--error' : undefined)} style={{ position: 'relative' }}>
      <label className={fr.cx('fr-label')} htmlFor={inputId}>
        {props.label}
        {props.hint && <span className={fr.cx('fr-hint-text')}>{props.hint}</span>}
      </label>
      <input
        id={inputId}
        className={fr.cx('fr-input', props.errorText ? 'fr-input--error' : undefined)}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        placeholder={props.placeholder}
        value={props.value}
        onChange={(e) => {
          props.onValueChange(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive((i) => Math.min(i + 1, props.options.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((i) => Math.max(i - 1, 0));
          } else if (e.key === 'Enter' && expanded && active >= 0) {
            e.preventDefault();
            pick(props.options[active]);
          } else if (e.key === 'Escape') {
            setOpen(false);
          }
        }}
      />
      {props.errorText && <p className={fr.cx('fr-error-text')}>{props.errorText}</p>}
      <ul
        id={listId}
        role="listbox"
        aria-label={props.label}
        className="ror-listbox"
        hidden={!expanded}
      >
        {props.options.map((o, i) => (
          <li
            key={props.optionKey(o)}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'ror-option ror-option--active' : 'ror-option'}
            onMouseDown={(e) => {
              e.preventDefault();
              pick(o);
            }}
          >
            {props.renderOption(o)}
          </li>
        ))}
      </ul>
      <p className={fr.cx('fr-sr-only')} role="status" aria-live="polite">{props.statusText ?? ''}</p>
    </div>
  );
}
