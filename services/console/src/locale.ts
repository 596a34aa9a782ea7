import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLocale, negotiateLocale, type Locale } from '@oa-archive/messages';
import { safeNextPath } from './safeNext.ts';

/** The reader's own choice of language, set by the switch on every page; it outranks Accept-Language. */
export const LOCALE_COOKIE = 'oa_console_lang';

/** zh-CN unless the reader chose otherwise (the cookie) or the browser asks for English first. */
export const localeOf = (request: FastifyRequest): Locale => negotiateLocale(request.cookies?.[LOCALE_COOKIE], request.headers['accept-language']);

/** `GET /lang/:locale?next=/path`: keep the choice for a year and go back to the page (local paths only). */
export function registerLocaleSwitch(app: FastifyInstance): void {
  app.get<{ Params: { locale: string }; Querystring: { next?: string } }>('/lang/:locale', async (request, reply) => {
    if (!isLocale(request.params.locale)) return reply.code(404).send({ error: `no language ${request.params.locale}: zh-CN or en` });
    reply.setCookie(LOCALE_COOKIE, request.params.locale, { path: '/', sameSite: 'lax', maxAge: 365 * 86_400, secure: request.protocol === 'https' });
    return reply.redirect(safeNextPath(request.query.next));
  });
}
