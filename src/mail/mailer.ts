import nodemailer from 'nodemailer';

/** Outgoing e-mail settings, from the environment (`ROR_SMTP_URL`, `ROR_MAIL_FROM`). */
export interface MailSettings {
  /** e.g. `smtp://user:pass@smtp.example.fr:587` or `smtps://…:465`; absent → messages go to the server log. */
  smtpUrl?: string;
  /** Sender address (`From`), e.g. `ROR <ne-pas-repondre@ror.example.fr>`. */
  from: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Sends one message; rejects when the SMTP server refuses it or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  /** True when messages really leave through SMTP (false: written to the log only). */
  readonly delivering: boolean;
  close(): void;
}

export const DEFAULT_MAIL_FROM = 'ROR <ne-pas-repondre@ror.localhost>';

export function mailSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MailSettings {
  const smtpUrl = env.ROR_SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new Error(`ROR_SMTP_URL must be an smtp:// or smtps:// URL, got "${smtpUrl}"`);
  return { smtpUrl, from: env.ROR_MAIL_FROM || DEFAULT_MAIL_FROM };
}

/**
 * The outgoing mailer. Without an SMTP URL (development), messages are written to `log` instead of
 * being sent, so that a confirmation link can still be followed by hand.
 */
export function createMailer(settings: MailSettings, opts: { log?: (msg: string) => void } = {}): Mailer {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  if (!settings.smtpUrl) {
    return {
      delivering: false,
      async send(message) {
        log(`mail not sent (ROR_SMTP_URL unset) to ${message.to}: ${message.subject}\n${message.text}`);
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(settings.smtpUrl);
  return {
    delivering: true,
    async send(message) {
      await transport.sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
    },
    close() {
      transport.close();
    },
  };
}
