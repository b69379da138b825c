import type { CuePhrases } from './merge.ts';

/**
 * Turkish phrases for each cue (folded: no accents, dotless `ı` as `i`). Turkish builds words with
 * suffixes, so stems end in `*` where the endings vary (`dolandir*`: dolandırıldım, dolandırıcı);
 * verbs said only in the first person (`ödedim`, `gönderdim`) count as first person.
 */
export const TURKISH: CuePhrases = {
  'credential lure': [
    'giris yapin', 'giris yap', 'hesabinizi dogrulayin', 'bilgilerinizi dogrulayin', 'bilgilerinizi guncelleyin', 'hesabiniz askiya', 'hesabiniz kilitlendi', 'sifrenizi girin', 'dogrulama kodu',
    'sms kodu', '24 saat icinde', 'kargonuz', 'paketiniz', 'gumruk ucreti', 'odeme basarisiz', 'iade talebi', 'iadenizi almak', 'puanlariniz sona', 'kart bilgilerinizi girin',
  ],
  'credential words': ['sifre', 'sifrenizi', 'kart numarasi', 'kart bilgileri*', 'cvv'],
  'card data asked': ['kart bilgileri*', 'kredi karti', 'kartiniza', 'odeme sayfasi', 'kartimdan', 'kartimla'],
  'phishing named': ['oltalama', 'sahte site', 'sahte sayfa', 'sahte link', 'phishing'],
  'giveaway or airdrop': ['cekilis*', 'hediye', 'kazandiniz', 'kazandin', 'ucretsiz bilet', 'bedava bilet', 'odulunuzu alin', 'secildiniz'],
  'crypto doubling': ['iki katini', 'katlayin'],
  'investment or endorsement scheme': ['garantili kazanc', 'garantili getiri', 'yatirim platformu', 'pasif gelir', 'gunde', 'minimum yatirim', 'onerdi', 'tavsiye ediyor', 'mucize', 'zayiflama'],
  'clone firm': ['izinsiz faaliyet', 'yetkisiz kurum'],
  'payment scheme': ['sahte fatura', 'yeni iban', 'dogrulama ucreti', 'dogrulama icin', 'kayit ucreti', 'aktivasyon ucreti', 'islem ucreti', 'depozito', 'guvenli hesap', 'kargo kabul'],
  'payment by voucher or wire': ['hediye karti', 'papara', 'ininal'],
  'prepayment only': ['sadece havale', 'sadece eft', 'pesin odeme'],
  'called a scam': ['dolandiric*', 'dolandir*', 'sahtekar*'],
  'victim report': ['dolandirildim', 'odedim', 'gonderdim', 'kaybettim', 'hic gelmedi', 'teslim edilmedi', 'beni engelledi', 'engellendim', 'param gitti'],
  'payment request': ['havale', 'eft', 'iban', 'fatura'],
  'job offer': ['evden calisma', 'evden is', 'is ilani', 'eleman araniyor', 'deneyim gerekmez', 'paket basina', 'saatlik'],
  'data offered': ['satilik hesap*', 'hesaplari satilik', 'hesaplar satilik', 'veritabani satilik', 'musteri verileri satilik', 'veri satilik', 'kontrol edilmis', 'mail sifre', 'ic belgeler'],
  'leak-site posting': ['yayinlanacak', 'yayinlayacagiz'],
  'leak reported': ['veri sizintisi', 'sizinti', 'sizdirildi', 'hacklendi', 'siber saldiri'],
  'data named': ['musteri verileri', 'veritabani', 'kisisel veri*'],
  'posing as official': ['musteri hizmetleri', 'destek hatti', 'resmi hesap', 'resmi sayfa', 'sahte hesap', 'sahte profil', 'gibi davranan', 'taklit'],
  'asks for details by message': ['dm atin', 'dmden', 'dm den', 'ozelden yazin', 'ozel mesaj', 'whatsapp hatti', 'bize yazin'],
  'sideloaded or unofficial software': ['apk indir'],
  'counterfeit or unlicensed goods': ['sahte urun', 'replika', 'cakma', 'taklit urun', 'orijinal degil'],
  'unauthorised or grey-import sale': ['recetesiz', 'garantisiz', 'faturasiz', 'yetkisiz satici'],
  'resale listing': ['ucretsiz kargo', 'hemen teslim', 'stokta', 'sifir urun', 'karaborsa', 'yerine'],
  'parked or for sale': ['alan adi satilik', 'bu alan adi satilik', 'teklif verin', 'sponsorlu baglantilar'],
  'trading under the name': ['ltd sti', 'ucretsiz teklif'],
  'attack threat or doxxing': [
    'ev adresi', 'nerede oturdugu', 'nerede yasadigini', 'biliyoruz nerede', 'kapisinin onunde', 'kapisina gidecegiz', 'evinin onunde', 'hep beraber', 'tehdit*', 'ddos saldirisi', 'siradaki hedef',
    'erisimi olan calisan', 'icerden biri', 'sim kart degisikligi', 'sim swap', 'pisman olacak*',
  ],
  'cracked software, cheats or exploits': ['crack', 'crackli', 'bedava indir', 'iptv listesi', 'm3u', 'bedava izle', 'bilet botu', 'botu', 'hile'],
  'tooling against the product': ['sanal kuyrugu atlar', 'kuyruk atlama', 'sira atlama', 'bypass', 'sahte konum', 'bonus istismari'],
  'incident reported': [
    'ceza', 'cezasi', 'para cezasi', 'ceza verdi', 'sorusturma', 'sorusturma baslatti', 'dava', 'davasi', 'dava acti', 'toplu dava', 'rekabet kurumu', 'kvkk', 'kesinti', 'coktu', 'erisim sorunu',
    'grev', 'isten cikarma', 'iflas', 'geri cagirma', 'toplatma', 'siber saldiri', 'skandal', 'mahkum', 'kapatildi',
  ],
  'reporting or research': ['rapor', 'arastirmacilar', 'nasil anlasilir', 'nasil korunur', 'uyariyor', 'uyari', 'dolandiricilar', 'yeni dolandiricilik', 'uzmanlar'],
  'not affected': ['etkilenmedi', 'etkilenmedigini', 'ilgisi yok', 'rakip*'],
  'opinion or review': ['sikayet', 'yorum', 'yorumlar', 'degerlendirme', 'deneyim*', 'bilen var mi', 'ne zaman gelir'],
  'fan or hobby content': ['hayran sayfasi', 'resmi degil', 'gayriresmi', 'tarif'],
  "the organization's own voice": ['basin aciklamasi', 'ozur dileriz', 'musterilerimiz'],
  'second-hand sale': ['ikinci el', 'kullanilmis', 'devrediyorum', 'alis fiyatina'],
  'ordinary business news': ['kariyer', 'ekibimize katil', 'basvur', 'sponsoru', 'sponsor oldu', 'yatirim aldi', 'acikladi', 'ortakligi'],
  'first person': ['benim', 'beni', 'bana', 'aldim', 'odedim', 'gonderdim', 'yatirdim', 'girdim', 'tikladim'],
  'a loss': ['odedim', 'gonderdim', 'yatirdim', 'kaybettim', 'gelmedi', 'engelledi', 'engellendim', 'cekildi', 'bosaltildi'],
  deceived: ['sanmistim', 'sandim', 'zannettim', 'gibi gorunuyordu', 'sahte', 'dolandiric*', 'adina'],
  'claims to be official': ['resmi', 'yetkili'],
};
