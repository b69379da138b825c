import type { CuePhrases } from './merge.ts';

/**
 * Intents the first five languages (en, es, fr, de, pt) were missing words for: parcel-mule and
 * casting fees, verification payments, expert endorsements, gatherings at someone's home,
 * insiders, SIM swaps, resale, IPTV and location spoofing, disciplinary and regulatory action,
 * records for sale, clone apps.
 */
export const ADDITIONS: CuePhrases = {
  'credential lure': ['log in to claim', 'sign in to claim', 'sign in to redeem', 'redeem your points', 'canjea tus puntos', 'canjear tus puntos', 'echangez vos points', 'punkte einlosen', 'resgate seus pontos'],
  'card data asked': ['bank details', 'banking details', 'datos bancarios', 'coordonnees de carte', 'bankdaten', 'dados bancarios', 'entered my card', 'typed my card', 'entered my details', 'logged in with my'],
  'giveaway or airdrop': ['verification fee', 'verification payment', 'pago de verificacion', 'de verificacion', 'frais de verification', 'verifizierungsgebuhr', 'taxa de verificacao', 'regala'],
  'investment or endorsement scheme': [
    'doctor recommends', 'expert recommends', 'recommended by doctors', 'invest with', 'medico recomienda', 'experto recomienda', 'recomienda esta',
    'plataforma de trading', 'le medecin recommande', 'arzt empfiehlt', 'experte empfiehlt', 'medico recomenda', 'recomenda esta',
  ],
  'payment scheme': [
    'parcel agent', 'package handler', 'receive and reship', 'reship packages', 'reshipping', 'forward packages', 'casting fee', 'portfolio fee', 'photo shoot fee', 'volunteer fee', 'administration fee',
    'agente de paquetes', 'recibir paquetes', 'reenviar paquetes', 'book de fotos', 'cuota de inscripcion', 'gastos de gestion', 'reexpedier des colis', 'reception de colis', 'frais d inscription',
    'paketagent*', 'pakete annehmen', 'pakete weiterleiten', 'ausweiskopie', 'anmeldegebuhr', 'receber encomendas', 'reenviar encomendas', 'taxa de cadastro', 'refund fee', 'fee to release your refund',
  ],
  'data offered': [
    'records for sale', 'patient records', 'medical records', 'trial records', 'trial data', 'participant data', 'checked accounts', 'accounts checked', 'valid accounts', 'logins for sale',
    'historiales clinicos', 'cuentas verificadas', 'dossiers medicaux', 'comptes verifies', 'patientenakten', 'prontuarios', 'contas verificadas', 'documentos internos', 'documents internes',
  ],
  'posing as official': ['medical information line', 'medical information service', 'patient information line', 'clone app', 'cloned app', 'app clonada', 'application clonee', 'geklonte app', 'app clonado'],
  'sideloaded or unofficial software': ['alternative app store', 'third party app store', 'download from our site', 'tienda alternativa', 'store alternatif'],
  'resale listing': ['resale', 'resell', 'reventa', 'revente', 'wiederverkauf', 'revenda', 'above face value'],
  'parked or for sale': ['este dominio esta en venta', 'ce domaine est a vendre', 'diese domain steht zum verkauf', 'este dominio esta a venda'],
  'attack threat or doxxing': [
    'his address is', 'her address is', 'show up at his', 'show up at her', 'outside his house', 'outside her house', 'gather outside', 'gather at his', 'gather at her', 'meet outside his', 'lets all go to', "let's all go to", 'see you at his',
    'anyone working at', 'anyone who works at', 'do you work at', 'someone who works at', 'sim swap', 'port his number', 'donde vive', 'su domicilio', 'frente a su casa', 'vamos a su casa',
    'duplicado de sim', 'duplicado de tarjeta sim', 'ou il habite', 'ou elle habite', 'son domicile', 'devant chez lui', 'devant chez elle', 'rassemblement devant', 'carte sim dupliquee', 'wo er wohnt',
    'wo sie wohnt', 'wohnadresse', 'vor seiner haustur', 'vor ihrer haustur', 'sim-karte duplizieren', 'onde mora', 'porta da casa', 'troca de chip', 'clonagem de chip',
  ],
  'cracked software, cheats or exploits': [
    'iptv list', 'iptv playlist', 'iptv lists', 'free iptv', 'm3u', 'restream', 'watch free', 'free live stream', 'lista iptv', 'ver gratis', 'liste iptv', 'regarder gratuitement', 'iptv liste',
    'kostenlos streamen', 'assistir gratis',
  ],
  'tooling against the product': [
    'gps spoof*', 'fake gps', 'location spoof*', 'spoof location', 'bonus farming', 'farm bonuses', 'reward farming', 'gps falso', 'faux gps', 'standort faken', 'localizacao falsa',
  ],
  'incident reported': [
    'disciplinary', 'struck off', 'tribunal', 'inquiry', 'inquest', 'malpractice', 'negligence', 'warning letter', 'court ruling', 'ruled against', 'banned from', 'points deduction', 'expediente disciplinario',
    'demanda colectiva', 'regulador', 'disciplinaire', 'mis en demeure', 'action collective', 'radie', 'sammelklage', 'nicht erreichbar', 'zusammengebrochen', 'disziplinar*', 'acao coletiva', 'disciplinar',
    'squalific*', 'deferit*', 'dyscyplinarn*', 'disiplin', 'tuchtrecht*', 'geschorst',
  ],
  'reporting or research': ['how we'],
};
