import type { HostParts } from './domains.ts';

/**
 * Where a finding is hosted, as far as it says who is speaking and what is going on: a
 * marketplace listing sells goods, a paste or a code host exposes text, an underground forum or a
 * ransomware tracker offers data or access, an exposure search engine indexes an open server, an
 * APK site distributes apps, a regulator warns about firms, free hosting carries throwaway sites.
 */
export type Venue =
  | 'marketplace'
  | 'classifieds'
  | 'paste'
  | 'underground'
  | 'leak_tracker'
  | 'code_host'
  | 'exposure_index'
  | 'apk_site'
  | 'regulator'
  | 'review_site'
  | 'free_hosting';

/** Sites that run under one name on many country domains (`amazon.de`, `ebay.co.uk`, `mercadolibre.com.mx`): matched by label. */
const BY_LABEL = new Map<string, Venue>(Object.entries({
  amazon: 'marketplace', ebay: 'marketplace', aliexpress: 'marketplace', rakuten: 'marketplace', mercadolibre: 'marketplace', mercadolivre: 'marketplace', shopee: 'marketplace',
  lazada: 'marketplace', temu: 'marketplace', shein: 'marketplace', wish: 'marketplace', etsy: 'marketplace', walmart: 'marketplace', cdiscount: 'marketplace', allegro: 'marketplace',
  olx: 'classifieds', vinted: 'classifieds', wallapop: 'classifieds', kleinanzeigen: 'classifieds', leboncoin: 'classifieds', milanuncios: 'classifieds', marktplaats: 'classifieds',
  trustpilot: 'review_site', tripadvisor: 'review_site', yelp: 'review_site', glassdoor: 'review_site', gumtree: 'classifieds', craigslist: 'classifieds', depop: 'classifieds', enjoei: 'classifieds', breachforums: 'underground', leakbase: 'underground',
}) as [string, Venue][]);

const BY_DOMAIN = new Map<string, Venue>(Object.entries({
  'alibaba.com': 'marketplace', '1688.com': 'marketplace', 'dhgate.com': 'marketplace', 'made-in-china.com': 'marketplace', 'joom.com': 'marketplace', 'banggood.com': 'marketplace',
  'taobao.com': 'marketplace', 'tmall.com': 'marketplace', 'jd.com': 'marketplace', 'bol.com': 'marketplace', 'otto.de': 'marketplace', 'fruugo.com': 'marketplace',
  'g2a.com': 'marketplace', 'kinguin.net': 'marketplace', 'eneba.com': 'marketplace', 'g2g.com': 'marketplace', 'gamivo.com': 'marketplace', 'playerauctions.com': 'marketplace',
  'eldorado.gg': 'marketplace', 'z2u.com': 'marketplace', 'driffle.com': 'marketplace', 'mmoga.de': 'marketplace', 'cdkeys.com': 'marketplace', 'instant-gaming.com': 'marketplace',
  'poshmark.com': 'classifieds', 'facebook.com/marketplace': 'classifieds',
  'pastebin.com': 'paste', 'paste.ee': 'paste', 'pastes.io': 'paste', 'rentry.co': 'paste', 'rentry.org': 'paste', 'justpaste.it': 'paste', 'jpst.it': 'paste', 'controlc.com': 'paste',
  'hastebin.com': 'paste', 'dpaste.org': 'paste', 'dpaste.com': 'paste', 'pastelink.net': 'paste', 'ghostbin.me': 'paste', 'privatebin.net': 'paste', 'throwbin.io': 'paste',
  'paste.gg': 'paste', 'telegra.ph': 'paste', 'ideone.com': 'paste', 'gist.github.com': 'paste',
  'xss.is': 'underground', 'exploit.in': 'underground', 'cracked.io': 'underground', 'cracked.to': 'underground', 'nulled.to': 'underground', 'raidforums.com': 'underground',
  'sinister.ly': 'underground', 'hackforums.net': 'underground', 'blackhatworld.com': 'underground',
  'ransomware.live': 'leak_tracker', 'ransomlook.io': 'leak_tracker', 'ransomfeed.it': 'leak_tracker', 'ransomwatch.telemetry.ltd': 'leak_tracker', 'darkfeed.io': 'leak_tracker',
  'hackmanac.com': 'leak_tracker', 'ransom-db.com': 'leak_tracker',
  'github.com': 'code_host', 'gitlab.com': 'code_host', 'bitbucket.org': 'code_host', 'githubusercontent.com': 'code_host', 'codeberg.org': 'code_host', 'sourceforge.net': 'code_host',
  'postman.com': 'code_host', 'replit.com': 'code_host', 'codesandbox.io': 'code_host', 'codepen.io': 'code_host', 'jsfiddle.net': 'code_host', 'huggingface.co': 'code_host',
  'swaggerhub.com': 'code_host', 'stackblitz.com': 'code_host',
  'leakix.net': 'exposure_index', 'shodan.io': 'exposure_index', 'zoomeye.org': 'exposure_index', 'fofa.info': 'exposure_index', 'criminalip.io': 'exposure_index', 'onyphe.io': 'exposure_index',
  'netlas.io': 'exposure_index', 'grayhatwarfare.com': 'exposure_index', 'binaryedge.io': 'exposure_index',
  'uptodown.com': 'apk_site', 'aptoide.com': 'apk_site',
  'trustpilot.com': 'review_site', 'reclameaqui.com.br': 'review_site', 'portaldaqueixa.com': 'review_site', 'g2.com': 'review_site', 'capterra.com': 'review_site',
  'yelp.com': 'review_site', 'tripadvisor.com': 'review_site', 'sitejabber.com': 'review_site', 'pissedconsumer.com': 'review_site', 'consumeraffairs.com': 'review_site',
  'kununu.com': 'review_site', 'glassdoor.com': 'review_site', 'productreview.com.au': 'review_site', 'trustedshops.de': 'review_site', 'provenexpert.com': 'review_site',
  'avis-verifies.com': 'review_site', 'ekomi.de': 'review_site',
  'fca.org.uk': 'regulator', 'sec.gov': 'regulator', 'finra.org': 'regulator', 'cftc.gov': 'regulator', 'amf-france.org': 'regulator', 'cnmv.es': 'regulator', 'bafin.de': 'regulator',
  'consob.it': 'regulator', 'cmvm.pt': 'regulator', 'bportugal.pt': 'regulator', 'bde.es': 'regulator', 'fsma.be': 'regulator', 'afm.nl': 'regulator', 'finma.ch': 'regulator',
  'asic.gov.au': 'regulator', 'moneysmart.gov.au': 'regulator', 'fma.govt.nz': 'regulator', 'osc.ca': 'regulator', 'iosco.org': 'regulator', 'cvm.gov.br': 'regulator',
  'mas.gov.sg': 'regulator', 'centralbank.ie': 'regulator', 'cssf.lu': 'regulator', 'fi.se': 'regulator', 'ftc.gov': 'regulator',
}) as [string, Venue][]);

/** Suffixes where anyone gets a free site in a minute (`acme-help.weebly.com`): the name there is the site's only claim. */
const FREE_HOSTING = new Set([
  'weebly.com', 'wixsite.com', 'blogspot.com', 'netlify.app', 'vercel.app', 'pages.dev', 'web.app', 'firebaseapp.com', '000webhostapp.com', 'glitch.me', 'webflow.io', 'square.site',
  'carrd.co', 'godaddysites.com', 'wordpress.com', 'workers.dev', 'herokuapp.com', 'azurewebsites.net', 'duckdns.org', 'ngrok-free.app', 'trycloudflare.com', 'github.io', 'gitlab.io',
  'sites.google.com', 'framer.website', 'my.canva.site', 'myshopify.com', 'jimdosite.com', 'strikingly.com', 'mystrikingly.com', 'webnode.page', 'site123.me', 'ipfs.io', 'r2.dev',
]);

/** Sites that redistribute Android apps as APK files, outside the stores (their pages are read as app pages, `accounts.ts`). */
export const APK_SITES: ReadonlySet<string> = new Set([
  'apkpure.com', 'apkpure.net', 'apkmirror.com', 'apkcombo.com', 'apk.support', 'happymod.com', 'an1.com', 'apkmody.io', 'liteapks.com', 'modyolo.com', 'apkdone.com', 'apksfull.com', 'malavida.com',
]);

const REGULATOR_WARNING_SEGMENT = /warning|alert|scam|fraud|advertencia|aviso|alerte|liste-noire|warnung|warnliste|alerta/;
const REGULATOR_TLD = /\.(?:gov|gouv|gob|gv|govt)\.[a-z]{2,3}$|\.gov$/;

/**
 * The venue of a host, from its registrable domain (`tldts`, private suffixes included) and, for
 * sites under one name on many country domains, its label. Onion services are underground.
 */
export function venueOf(host: string, parts: HostParts, firstSegment: string | undefined): Venue | undefined {
  if (host.includes('.onion') && (host.endsWith('.onion') || /\.onion\.[a-z]+$/.test(host))) return 'underground';
  // A site of its own under a free host: the host's suffix is (private suffixes such as `netlify.app`), or its registrable domain is, with a subdomain.
  if (FREE_HOSTING.has(parts.suffix) || (FREE_HOSTING.has(parts.registrable) && parts.subdomain !== '') || host === 'sites.google.com') return 'free_hosting';
  if (host === 'gist.github.com') return 'paste';
  if (parts.registrable === 'facebook.com' && firstSegment === 'marketplace') return 'classifieds';
  if (APK_SITES.has(parts.registrable)) return 'apk_site';
  // Maps, not objects: a host named `constructor.com` is no venue.
  const venue = BY_DOMAIN.get(parts.registrable) ?? BY_LABEL.get(parts.label);
  if (venue) return venue;
  if (firstSegment && REGULATOR_WARNING_SEGMENT.test(firstSegment) && REGULATOR_TLD.test(host)) return 'regulator';
  return undefined;
}

/** A regulator's page that warns about a firm (a clone, an unauthorised entity), not one that reports its own action. */
export function isRegulatorWarning(pathSegments: readonly string[]): boolean {
  return pathSegments.some((segment) => /warning|alert|scam|clone|unauthori[sz]ed|advertencia|chiringuito|liste-noire|alerte|warnung|verbraucherwarnung|alerta|investor-alert/.test(segment.toLowerCase()));
}
