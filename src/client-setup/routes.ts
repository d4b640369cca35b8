import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import { isLocalDomain } from '../identity/domains.js';
import { findAccount } from '../identity/accounts.js';
import { tryNormalizeAddress } from '../identity/address.js';
import { clientSettingsOf } from './settings.js';
import { autoconfigXml } from './thunderbird-autoconfig.js';
import { autodiscoverXml, requestedAddress } from './autodiscover.js';
import { appleProfile } from './apple-profile.js';
import { mtaStsPolicy } from './mta-sts.js';

export interface ClientSetupDeps {
  config: Readonly<Config>;
  db: Db;
}

/** The domain a request is about: from an address it names, else from the host it came to (autoconfig.DOMAIN, mta-sts.DOMAIN). */
function domainOf(request: FastifyRequest, address: string | undefined, hostPrefix: string): string | undefined {
  if (address) return address.slice(address.lastIndexOf('@') + 1);
  const host = (request.hostname || '').toLowerCase().replace(/:\d+$/, '');
  return host.startsWith(hostPrefix) ? host.slice(hostPrefix.length) : undefined;
}

const notHere = (reply: FastifyReply, what: string) => reply.code(404).type('text/plain; charset=utf-8').send(`${what} is not a mail domain of this server\n`);

/**
 * How mail clients set themselves up (no /api prefix: the paths are the clients' own):
 * Thunderbird autoconfig, Outlook Autodiscover (POX), an Apple configuration profile, and
 * the MTA-STS policy (RFC 8461) for sending servers. Only local domains get an answer.
 */
export async function mountClientSetup(app: FastifyInstance, deps: ClientSetupDeps): Promise<void> {
  const settings = clientSettingsOf(deps.config);
  await app.register(async (scope) => {
    // Autodiscover posts XML
    scope.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));

    const autoconfig = async (request: FastifyRequest<{ Querystring: { emailaddress?: string } }>, reply: FastifyReply) => {
      const address = request.query.emailaddress ? tryNormalizeAddress(request.query.emailaddress) : undefined;
      const domain = domainOf(request, address, 'autoconfig.');
      if (!domain || !(await isLocalDomain(deps.db, domain))) return notHere(reply, domain ?? 'this host');
      return reply.type('application/xml; charset=utf-8').send(autoconfigXml(domain, `Thư điện tử ${domain}`, settings));
    };
    // Thunderbird asks https://autoconfig.DOMAIN/mail/config-v1.1.xml, then the domain's own /.well-known path
    scope.get('/mail/config-v1.1.xml', autoconfig);
    scope.get('/.well-known/autoconfig/mail/config-v1.1.xml', autoconfig);

    const autodiscover = async (request: FastifyRequest<{ Body: unknown }>, reply: FastifyReply) => {
      const address = typeof request.body === 'string' ? tryNormalizeAddress(requestedAddress(request.body) ?? '') : undefined;
      if (!address) return reply.code(400).type('text/plain; charset=utf-8').send('an Autodiscover request names an <EMailAddress>\n');
      const account = await findAccount(deps.db, address);
      if (!account) return notHere(reply, address);
      return reply.type('application/xml; charset=utf-8').send(autodiscoverXml(address, account.displayName || address, settings));
    };
    scope.post('/autodiscover/autodiscover.xml', autodiscover);
    scope.post('/Autodiscover/Autodiscover.xml', autodiscover);

    scope.get('/.well-known/apple-mail.mobileconfig', async (request: FastifyRequest<{ Querystring: { address?: string } }>, reply) => {
      const address = request.query.address ? tryNormalizeAddress(request.query.address) : undefined;
      const account = address ? await findAccount(deps.db, address) : undefined;
      if (!address || !account) return notHere(reply, address ?? 'the address');
      const domain = address.slice(address.lastIndexOf('@') + 1);
      return reply
        .type('application/x-apple-aspen-config')
        .header('content-disposition', `attachment; filename="${domain}.mobileconfig"`)
        .send(appleProfile(address, account.displayName || address, domain, settings));
    });

    // RFC 8461 §3.2: served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt
    scope.get('/.well-known/mta-sts.txt', async (request, reply) => {
      const domain = domainOf(request, undefined, 'mta-sts.');
      if (!domain || !(await isLocalDomain(deps.db, domain))) return notHere(reply, domain ?? 'this host');
      const { mode, maxAgeDays } = deps.config.mtaSts;
      return reply.type('text/plain; charset=utf-8').send(mtaStsPolicy(deps.config.hostname, mode, maxAgeDays * 86_400));
    });
  });
}
