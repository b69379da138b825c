import type { Severity, ThreatCategory } from '../../db/schema/enums.ts';

/** What each category means; the LLM receives these, and the README documents them. */
export const CATEGORY_DEFINITIONS: Record<ThreatCategory, string> = {
  phishing:
    'tries to obtain credentials, payment or personal data by posing as the brand: look-alike login or verification pages, credential forms, lures ("your account is suspended"), and look-alike domains or certificates imitating the brand\'s domain when nothing shows another intent.',
  impersonation:
    'an account, profile, app, site or person posing as the brand or its people, whose main harm is the false identity (fake support accounts, fake or sideloaded apps, fake executive profiles), not primarily harvesting credentials or taking payment.',
  fraud:
    'schemes to take money using the brand\'s name: giveaways, airdrops, "double your crypto", investment scams, deepfake endorsements, fake invoices, refund or recovery scams, fake job offers that charge fees — also on a look-alike domain (intent decides, not the host).',
  data_leak:
    'the organization\'s or its customers\' data or secrets exposed: credential dumps, combo lists, fullz, customer databases, leaked source code, API keys, tokens or private keys, exposed buckets or databases.',
  negative_press:
    'reporting that attributes an incident, breach, lawsuit, fine, recall, outage, layoffs or scandal TO the organization. Reporting about a third party\'s incident that merely mentions the brand is not a threat.',
  trademark:
    'unauthorized commercial use of the brand\'s marks: counterfeits, replicas, unauthorized resellers, businesses trading under the name, squatted domains parked with ads or for sale.',
  other: 'threats aimed at the organization that fit none of the above: doxxing of its people, threats of DDoS or physical attack, cracked software, keygens or exploits targeting its products, insider recruitment.',
};

/** The severity rubric. */
export const SEVERITY_RUBRIC: Record<Severity, string> = {
  critical:
    'harm happening now with direct access or at scale: a live credential-harvesting page on a look-alike of the brand\'s login; working secrets of the organization (API keys, tokens, private keys, admin passwords); a customer database or credential dump offered or shared; an active payment or investment scam with victims.',
  high: 'directed and live, one step from harm: a look-alike domain with a certificate or brand content; an impersonating account or app soliciting customers; giveaway or fraud pages; doxxing or attack threats against the organization or its people; press attributing a breach, fine, lawsuit or regulatory action to the organization.',
  medium: 'real but limited or not yet active: a registered look-alike with no content or parked; counterfeit or unauthorized listings; cracked software; press about outages, recalls, layoffs or boycotts.',
  low: 'trademark use by an unrelated small business, parked domains with ads, old or minor press.',
};

/** What is not a threat, whatever words it uses. */
export const NOT_THREATS = [
  'the organization\'s own sites, official pages on third-party platforms (hiring, status, help desk, shop, app stores, social accounts) and its partners and resellers listed in the profile;',
  'news about attacks on, or incidents at, other companies that merely mention the brand; security research, advice and vendor reports about threats;',
  'reviews, complaints, questions and fan communities that are not press; homonyms (another company, person or thing with the same name).',
];
