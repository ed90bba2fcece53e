// sendEmail: one e-mail per customer. Templates are checked here (parse, known variables, known filters) so that a
// campaign that validates can always be rendered; whether the category exists depends on the database (ctx). Every
// check lives in the schema so that one bad field never hides another's error.
import { z } from 'zod';
import type { SendWindow } from '../../contract';
import type { ActionDefinition } from '../definition';
import { isValidEmail, isValidSenderEmail, normalizeEmail } from '../../email/address';
import { checkTemplate, compileEmail, type CompiledEmail } from '../../email/render';
import { quote } from '../../email/quote';
import type { EmailAddress, EmailContent } from '../../email/types';
import { storableString } from '../../campaigns/storableText';
import { sendWindowSchema } from '../../campaigns/timingSchemas';

/** Send e-mail: the message (subject, HTML, text, UTM) plus who sends it, to which category, and the BCC list. */
export interface SendEmailSettings extends EmailContent {
  from: EmailAddress;
  replyTo?: EmailAddress;
  categoryCode?: string; // must name an existing mailing category
  bcc?: string[]; // validated, lower-cased, de-duplicated, at most MAX_BCC
  /** this action's own send window, instead of the campaign's */
  sendWindow?: SendWindow;
  /** SmartCom's "Deliver immediately: ignore send time interval": no window applies to this action */
  deliverImmediately?: boolean;
}

export const MAX_BCC = 10;

const emailAddress = z.string().refine(isValidEmail, 'not a valid e-mail address');

// SendGrid refuses Unicode in the sender address. Reply-To is ASCII too: whether SendGrid takes Unicode there is
// undocumented, and writing the xn-- form costs the campaign's author nothing.
const senderEmail = emailAddress.refine(
  (s) => !isValidEmail(s) || isValidSenderEmail(s),
  'write the domain in its xn-- form (SendGrid refuses Unicode in the sender address)',
);

// The name ends up in a mail header: a line break would let it inject headers.
const senderAddress = z.strictObject({
  email: senderEmail,
  name: storableString.regex(/^[^\r\n]*$/, 'must not contain line breaks').optional(),
});

// Template problems are reported by the schema itself (not by `check`) so they show up even when another field of
// the same settings is invalid.
const template = storableString
  .refine((s) => s.trim() !== '', 'must not be empty')
  .superRefine((source, zctx) => {
    for (const problem of checkTemplate(source)) zctx.addIssue({ code: 'custom', message: problem });
  });

// `raw` would switch escaping off and let customer data write HTML into the message.
const htmlTemplate = template.refine((s) => !/\|\s*raw\b/.test(s), 'the raw filter is not allowed: customer data in HTML stays escaped');

const utmValue = storableString.min(1, 'must not be empty');

const bcc = z
  .array(emailAddress)
  .transform((list) => [...new Set(list.map(normalizeEmail))])
  .pipe(z.array(z.string()).max(MAX_BCC, `at most ${MAX_BCC} distinct addresses`));

export const sendEmail: ActionDefinition<SendEmailSettings, { email: CompiledEmail }> = {
  title: 'Send e-mail',
  sendsEmail: true,
  settingsSchema: (ctx) =>
    z
      .strictObject({
        from: senderAddress,
        replyTo: senderAddress.optional(),
        subject: template,
        html: htmlTemplate,
        text: template.optional(),
        categoryCode: z
          .string()
          .min(1, 'must not be empty')
          .superRefine((code, zctx) => {
            if (!ctx.categoryCodes.has(code)) zctx.addIssue({ code: 'custom', message: `unknown mailing category ${quote(code)}` });
          })
          .optional(),
        bcc: bcc.optional(),
        utm: z
          .strictObject({
            source: utmValue.optional(),
            medium: utmValue.optional(),
            campaign: utmValue.optional(),
            term: utmValue.optional(),
            content: utmValue.optional(),
          })
          .optional(),
        sendWindow: sendWindowSchema.optional(),
        deliverImmediately: z.boolean().optional(),
      })
      .superRefine((s, zctx) => {
        if (s.deliverImmediately && s.sendWindow)
          zctx.addIssue({
            code: 'custom',
            path: ['deliverImmediately'],
            message: 'ignores every send window: leave out sendWindow or this',
          });
      }),
  // The send window that applies: the action's own, else the campaign's; none when it delivers immediately.
  treeFields: (settings, campaign) => {
    const window = settings.deliverImmediately ? undefined : (settings.sendWindow ?? campaign.sendWindow);
    return window ? { sendWindow: { ...window } } : {};
  },
  // Templates are compiled once per stored action, not per send.
  prepare: (settings) => ({ email: compileEmail(settings) }),
  report: { label: (settings) => settings.subject },
};
