import type { Severity, ThreatCategory } from '../../db/schema/enums.ts';
import type { CandidateFinding, ReadFinding } from './subject.ts';

const YEAR = /\b(19[89]\d|20[0-4]\d)\b/;

/**
 * Formal action or harm: a regulator, a court, an inquiry, a fine, a sanction, a disciplinary
 * body, people hurt — in every language the rules read. Reported about the organization, it is
 * high; and a word that is also a customer's ("complaints", "review", "reclami") is its evidence there.
 */
const FORMAL_INCIDENT =
  /fine|sue|lawsuit|class action|regulat|watchdog|ombudsman|ordered to|settle|sanction|penal|charged|indicted|inspector|failed inspection|health inspection|health code|multa|sancion|amende|condamn|klage|verklagt|bussgeld|strafe|demanda|processo|coima|inspeccion|investigation|probe|enquete|ermittl|investigacion|investigacao|poursuivi|expedient|condenad|verurteilt|tribunal|inquiry|inquest|malpractice|negligence|disciplin|struck off|court|ruled|squalific|deferit|istruttoria|indagin|procedimento|denuncia|sequestro|procura|antitrust|garante|inchiesta|feriti|esplosione|injured|deaths|died|boete|beboet|rechtszaak|aangeklaagd|dagvaarding|toezichthouder|tuchtrecht|geschorst|veroordeeld|kara|kare|kary|ukaran|grzywna|pozew|pozwan|sledztwo|postepowanie|prokuratura|uokik|dyscyplin|ceza|sorusturma|dava|rekabet|kvkk|mahkum|disiplin|mis en demeure|sammelklage|acao coletiva|demanda colectiva/;
/** Breaches, attacks and closures: high even without a regulator. */
const SERIOUS_INCIDENT = /breach|hack|ransomware|cyber|ciber|closure|closes|encerrad|cierre|fermeture|datenpanne|recolher|datalek|cyberaanval|cyberatak|siber|attacco hacker|wyciek/;
/** Strikes and walkouts: medium, unless a court or a regulator is part of the story. */
const STRIKE = /strike|walkout|huelga|greve|streik|sciopero|staking|staken|strajk|grev/;

/** Whether an incident's words name formal action or harm (a regulator, a court, a fine, an inquiry, injuries). */
export const isFormalIncident = (phrases: readonly string[]) => FORMAL_INCIDENT.test(phrases.join(' '));

/** What the rules saw, for the rubric. */
export interface SeverityFacts {
  finding: CandidateFinding;
  read: ReadFinding;
  isStrongLookAlike: boolean;
  cues: ReadonlyMap<string, string[]>;
  secrets: readonly string[];
  hasVolume: boolean;
  personalFields: number;
  isCloudStorage: boolean;
  isVictimAccount: boolean;
  /** Exposure the venue itself shows: an open server indexed, a leak-site listing. */
  isExposedByVenue: boolean;
  /** The page asks for credentials or card data. */
  asksForCredentials: boolean;
  /** A business trading under the name (its own name, not the brand's goods). */
  isTradeName: boolean;
}

/** Data offered about people, or access: customer databases, logins, combo lists, stealer logs, sessions. */
const PEOPLE_OR_ACCESS =
  /database dump|db dump|full db|combo|fullz|stealer|logs|for sale|cookies|sessions|access|accounts|creds|logins|clienti|klant|klientow|musteri|hesap|records|cuentas|comptes|konten|contas|account|доступ/;
const CODE_OR_DOCUMENTS = /source|internal|interne|interno|intern|confiden|vertraulich|firmware|document|belgeler|dokument|code/;
/** An amount of money shown, in any currency the rules read (`79 €`, `$20`, `150 zl`, `300 tl`). */
const AMOUNT_SHOWN = /[$€£]\s?\d|\d\s?(?:[$€£]|(?:eur|usd|gbp|brl|zl|pln|tl|try)\b)/;
/** A role of customer help, in a handle or an account's claim. */
const SUPPORT_ROLE = /support|service|help|care(?!er)|assist|desk|hotline|helpline|klantenservice|atencion|atendimento|kundendienst|kundenservice|destek|hizmetleri|obsluga|infolinia|apoio|soporte|suporte/;

const EXPLOIT = /exploit|0day|0-day|zero.day|remote code execution|bypass|vulnerability/;

/** The severity rubric (README, "Detection"), applied to what the rules can see. */
export function severityOf(category: ThreatCategory, facts: SeverityFacts): Severity {
  const { cues } = facts;
  switch (category) {
    case 'phishing': {
      // A live page that asks for logins or card data on a host that imitates the brand (any look-alike, a
      // throwaway site) is harvesting now; a certificate or a lure that only forwards is one step away.
      const imitates = facts.isStrongLookAlike || facts.read.lookAlike !== undefined || facts.read.venue === 'free_hosting';
      if (facts.isVictimAccount || cues.has('victim report') || (imitates && !facts.read.isCertificate && facts.asksForCredentials)) return 'critical';
      return 'high';
    }
    case 'data_leak': {
      if (facts.secrets.length > 0 || facts.personalFields >= 3 || facts.isCloudStorage || facts.isExposedByVenue) return 'critical';
      const offered = (cues.get('data offered') ?? []).join(' ');
      const offersPeopleOrAccess = PEOPLE_OR_ACCESS.test(offered);
      // Source code and internal documents without secrets are high however many gigabytes; people's data and logins are critical.
      const isCodeOrDocuments = !offersPeopleOrAccess && facts.personalFields === 0 && CODE_OR_DOCUMENTS.test(`${offered} ${(cues.get('leak reported') ?? []).join(' ')} ${facts.read.foldedTitle}`);
      if (facts.hasVolume && !isCodeOrDocuments) return 'critical';
      return offersPeopleOrAccess ? 'critical' : 'high';
    }
    case 'fraud':
      return facts.isVictimAccount || cues.has('victim report') ? 'critical' : 'high';
    case 'impersonation': {
      // A fake support account solicits customers by what it is: it offers them help.
      const offersSupport = SUPPORT_ROLE.test(`${(cues.get('posing as official') ?? []).join(' ')} ${facts.read.account?.handle ?? ''}`);
      const solicits =
        offersSupport || cues.has('asks for details by message') || cues.has('sideloaded or unofficial software') || cues.has('credential lure') || facts.read.account?.kind === 'app' || facts.read.account?.kind === 'package';
      return solicits || facts.isStrongLookAlike ? 'high' : 'medium';
    }
    case 'negative_press': {
      const year = YEAR.exec(`${facts.finding.url} ${facts.finding.title}`)?.[1];
      if (year && Number(year) <= new Date().getUTCFullYear() - 3) return 'low';
      const phrases = cues.get('incident reported') ?? [];
      if (isFormalIncident(phrases)) return 'high';
      return !STRIKE.test(phrases.join(' ')) && SERIOUS_INCIDENT.test(phrases.join(' ')) ? 'high' : 'medium';
    }
    case 'trademark':
      // A parked or for-sale domain, and a business that only trades under the name, are low; goods sold under the mark are medium.
      if (cues.has('parked or for sale') && (facts.read.lookAlike !== undefined || !cues.has('counterfeit or unlicensed goods'))) return 'low';
      if (cues.has('counterfeit or unlicensed goods') || cues.has('unauthorised or grey-import sale') || facts.read.venue === 'marketplace') return 'medium';
      return cues.has('resale listing') && (!facts.isTradeName || AMOUNT_SHOWN.test(facts.read.folded)) ? 'medium' : 'low';
    case 'other':
      return cues.has('attack threat or doxxing') || cues.has('attack announced') || EXPLOIT.test((cues.get('cracked software, cheats or exploits') ?? []).join(' ')) ? 'high' : 'medium';
  }
}
