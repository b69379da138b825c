import { hostParts, hostsInText } from './domains.ts';
import { countCredentialAssignments, countCredentialPairs, findSecrets } from './secrets.ts';
import type { CandidateFinding, CompiledSubject, ReadFinding } from './subject.ts';

/** Where data is stored, not published: a bucket or index there that names the brand is exposed data. */
const CLOUD_STORAGE_SUFFIXES = ['amazonaws.com', 'blob.core.windows.net', 'storage.googleapis.com', 'digitaloceanspaces.com', 'r2.dev', 'backblazeb2.com'];

/** An amount of records, rows, customers… (`820k rows`, `1,2M registros`, `380 mil clientes`, `1.4 TB`): data in bulk. */
const VOLUME =
  /\b\d+(?:[.,]\d+)?\s?(?:k|m|mm|million|millions|millones|milhoes|mio|mil|mille|thousand)?\s?(?:rows|records|lines|users|customers|clients|accounts|logins|guests|patients|emails|entries|members|passengers|subscribers|employees|documents|docs|registros|filas|lineas|usuarios|clientes|cuentas|abonados|suscriptores|enregistrements|lignes|utilisateurs|comptes|abonnes|datensatze|zeilen|nutzer|kunden|konten|mitglieder|linhas|utilizadores|contas|assinantes|righe|utenti|clienti|rijen|gebruikers|klanten|wierszy|rekordow|uzytkownikow|klientow|kont|satir|kayit|kullanici|musteri|hesap|tb|gb)\b/;
const DIGIT = /\d/;
const BARE_VOLUME = /\b\d+(?:[.,]\d+)?\s?(?:k|m|million|millions|millones|milhoes|mio|mil)\b/;
/** Kinds of personal data, in five languages: several of them listed together describe a customer record. */
const PERSONAL_FIELDS =
  /\b(?:e-?mails?|correos?|courriels?|phones?|phone numbers?|telephones?|telefonos?|telefones?|telefonnummern?|handynummern?|moviles?|celular(?:es)?|numeros? de (?:linea|ligne|telefone)|address(?:es)?|direccion(?:es)?|adresses?|anschriften?|enderecos?|moradas?|dob|date of birth|fecha de nacimiento|date de naissance|geburtsdatum|data de nascimento|ssn|social security|dni|nif|cpf|rg|passports?|pasaportes?|passeports?|reisepass|passaportes?|iban|bank accounts?|bankverbindung(?:en)?|cvv|card numbers?|passwords?|contrasenas?|mots de passe|passworter|senhas?|hash(?:es)?|names|nombres?|apellidos|prenoms?|vornamen?|nachnamen?|nomes?|sobrenomes?|diagnos[ie]s|allergies|orders|order history|historial de pedidos|historique de commandes|bestellhistorie|historico de pedidos|cookies|kyc|selfies|id scans|frame numbers?)\b/g;
/** Every kind of personal data above, as words: text with none of them lists no field (a quiet cue says so in the one pass). */
export const PERSONAL_FIELD_PHRASES = [
  'email', 'emails', 'e mail', 'e mails', 'correo', 'correos', 'courriel', 'courriels', 'phone', 'phones', 'telephone', 'telephones', 'telefono', 'telefonos', 'telefone', 'telefones',
  'telefonnummer', 'telefonnummern', 'handynummer', 'handynummern', 'movil', 'moviles', 'celular', 'celulares', 'numero de linea', 'numero de ligne', 'numero de telefone', 'numeros de linea',
  'numeros de ligne', 'numeros de telefone', 'address', 'addresses', 'direccion', 'direcciones', 'adresse', 'adresses', 'anschrift', 'anschriften', 'endereco', 'enderecos', 'morada', 'moradas',
  'dob', 'date of birth', 'fecha de nacimiento', 'date de naissance', 'geburtsdatum', 'data de nascimento', 'ssn', 'social security', 'dni', 'nif', 'cpf', 'rg', 'passport', 'passports',
  'pasaporte', 'pasaportes', 'passeport', 'passeports', 'reisepass', 'passaporte', 'passaportes', 'iban', 'bank account', 'bank accounts', 'bankverbindung', 'bankverbindungen', 'cvv',
  'card number', 'card numbers', 'password', 'passwords', 'contrasena', 'contrasenas', 'mots de passe', 'passworter', 'senha', 'senhas', 'hash', 'hashes', 'names', 'nombre', 'nombres',
  'apellidos', 'prenom', 'prenoms', 'vorname', 'vornamen', 'nachname', 'nachnamen', 'nome', 'nomes', 'sobrenome', 'sobrenomes', 'diagnosis', 'diagnoses', 'allergies', 'orders',
  'order history', 'historial de pedidos', 'historique de commandes', 'bestellhistorie', 'historico de pedidos', 'cookies', 'kyc', 'selfies', 'id scans', 'frame number', 'frame numbers',
];

/** Host names only an organization's own staff should know: internal zones and back-office services. */
const INTERNAL_ZONE = /\.(?:internal|intranet|local|corp|lan|priv)$/;
const INTERNAL_SERVICE = /^(?:vpn|intranet|internal|jira|confluence|jenkins|gitlab|git|vault|sso|okta|citrix|rdp|owa|admin|backoffice|erp|crm|db\d*|sql|ldap|ad|dc\d*|staging|dev)\b/;

export interface Exposure {
  signals: { name: string; weight: number }[];
  secrets: string[];
  hasVolume: boolean;
  personalFields: number;
  isCloudStorage: boolean;
  /** The venue itself shows data exposed: a leak-site listing, an open server indexed. */
  isExposedByVenue: boolean;
}

/**
 * What a finding exposes: secrets in known formats, credentials written out as settings, personal
 * data in bulk, the organization's internal host names next to them, storage named for the
 * brand, and venues whose listings are exposure itself (ransomware leak trackers, search engines
 * of open servers).
 */
export function exposureSignals(finding: CandidateFinding, read: ReadFinding, cues: ReadonlyMap<string, string[]>, compiled: CompiledSubject, mayListFields: boolean): Exposure {
  const signals: Exposure['signals'] = [];
  // The finding's own URL is canonical (no credentials in it); only its path and query can carry a secret.
  const text = `${finding.title}\n${finding.snippet}\n${read.pathSegments.join('/')}`;
  const secrets = findSecrets(text);
  if (secrets.length > 0) signals.push({ name: `secret format: ${secrets.join(', ')}`, weight: 0.7 });
  const assignments = secrets.length > 0 ? 0 : countCredentialAssignments(`${finding.title}\n${finding.snippet}`) + Math.floor(countCredentialPairs(finding.snippet) / 2);
  if (assignments > 0) {
    secrets.push('credentials written out');
    signals.push({ name: `credentials written out (${assignments})`, weight: 0.5 });
  }
  const fields = mayListFields ? new Set(read.folded.match(PERSONAL_FIELDS) ?? []).size : 0;
  const hasDigit = DIGIT.test(read.folded);
  const hasVolume = hasDigit && (VOLUME.test(read.folded) || (fields >= 2 && BARE_VOLUME.test(read.folded)));
  if (hasVolume && (fields >= 1 || cues.has('data offered') || cues.has('leak-site posting'))) signals.push({ name: 'records offered in bulk', weight: 0.3 });
  if (fields >= 3) signals.push({ name: `personal data fields (${fields})`, weight: 0.25 });
  const isCloudStorage = CLOUD_STORAGE_SUFFIXES.some((suffix) => read.urlHost.endsWith(`.${suffix}`));
  if (isCloudStorage) signals.push({ name: `cloud storage named for the brand: ${read.urlHost}`, weight: 0.5 });
  let isExposedByVenue = false;
  if (read.venue === 'leak_tracker') {
    isExposedByVenue = true;
    signals.push({ name: `listed by a ransomware leak-site tracker: ${read.urlParts.registrable}`, weight: 0.5 });
  } else if (read.venue === 'exposure_index') {
    isExposedByVenue = true;
    signals.push({ name: `an open service indexed by ${read.urlParts.registrable}`, weight: 0.45 });
  }
  // The organization's internal hosts, named where only staff or an intruder would name them.
  if (read.venue === 'paste' || read.venue === 'code_host' || read.venue === 'underground' || read.urlParts.registrable === 't.me' || assignments > 0) {
    const internal = hostsInText(`${finding.title}\n${finding.snippet}`).find((host) => {
      if (INTERNAL_ZONE.test(host)) return compiled.brand.labels.some((l) => host.includes(l.label));
      const parts = hostParts(host);
      return compiled.brand.official.has(parts.registrable) && INTERNAL_SERVICE.test(parts.subdomain);
    });
    if (internal) signals.push({ name: `internal host named: ${internal}`, weight: 0.25 });
  }
  return { signals, secrets, hasVolume, personalFields: fields, isCloudStorage, isExposedByVenue };
}
