"""A labeled PII text corpus for the PII benchmark, made with Faker from a fixed seed.

Usage: python bench/gen_pii_dataset.py OUT_DIR [--dense-lines N] [--sparse-lines N] [--seed S]
Writes dense.txt / sparse.txt (one record per line, ASCII) and dense.labels.jsonl /
sparse.labels.jsonl: per line, the gold spans {"start", "end", "type"} (character offsets
in the line). Dense lines read like support tickets: two or three values, one or two decoys
and a sentence of prose each (about one value per 60 bytes);
sparse lines are prose with a value on about one line in sixty. Both carry decoys that a
naive pattern takes for PII: Luhn-invalid card-like numbers, order ids, version strings,
SSNs the SSA never issues, UUIDs, timestamps, tracking numbers, IBANs with a bad checksum,
dates without birth context.

Types: EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN, IP_ADDRESS (the pattern
types every compared tool knows) and DATE_OF_BIRTH (only ours has it; scored apart).
Phone numbers are kept only when `phonenumbers` calls them valid: a gold label must be a
real number.

Two tuning sets for per-record scoring (bench_pii.py --crm / --world): `make_crm_corpus` (Faker, 14
locales) and `make_world_corpus` (no Faker: `phonenumbers` example numbers written as each of 20
countries writes them, CLDR birth-date formats via `babel`, labels and decoys in 11 languages).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

COMPARED_TYPES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS")
US_AREA_CODES = (201, 202, 206, 212, 213, 305, 312, 404, 415, 512, 617, 646, 702, 718, 773, 808, 917, 971)


class Generator:
    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.fake = Faker(["en_US"])
        self.fake.seed_instance(seed)
        self.locales = {code: Faker(code) for code in ("de_DE", "en_GB", "fr_FR", "nl_NL", "es_ES")}
        for index, faker in enumerate(self.locales.values()):
            faker.seed_instance(seed + index + 1)

    # -- values -----------------------------------------------------------------------------
    def email(self) -> str:
        return self.rng.choice((self.fake.email, self.fake.free_email, self.fake.company_email))()

    def phone(self) -> str:
        import phonenumbers

        while True:
            if self.rng.random() < 0.7:
                area, exchange, line = self.rng.choice(US_AREA_CODES), self.rng.randint(201, 989), self.rng.randint(
                    1000, 9999)
                if exchange == 555:
                    continue
                text = self.rng.choice((f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}",
                                        f"+1 {area} {exchange} {line}", f"{area}.{exchange}.{line}",
                                        f"+1-{area}-{exchange}-{line}"))
                region = "US"
            else:
                code, faker = self.rng.choice(list(self.locales.items()))
                text, region = faker.phone_number(), code.split("_")[1]
                if not text.startswith("+"):
                    continue
            try:
                if phonenumbers.is_valid_number(phonenumbers.parse(text, region)):
                    return text
            except phonenumbers.NumberParseException:
                continue

    def card(self) -> str:
        kind = self.rng.choice(("visa16", "mastercard", "amex", "discover", "jcb", "visa16", "mastercard"))
        number = self.fake.credit_card_number(card_type=kind)
        while kind == "jcb" and not 3528 <= int(number[:4]) <= 3589:  # Faker strays outside JCB's range
            number = self.fake.credit_card_number(card_type=kind)
        if self.rng.random() < 0.4 and len(number) == 16:
            number = " ".join(number[i : i + 4] for i in range(0, 16, 4))
        return number

    def iban(self) -> str:
        value = self.rng.choice(list(self.locales.values())).iban()
        if self.rng.random() < 0.4:
            value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def ssn(self) -> str:
        return self.fake.ssn()

    def ip(self) -> str:
        return self.fake.ipv4_public() if self.rng.random() < 0.75 else self.fake.ipv6()

    def dob(self) -> str:
        day = self.fake.date_of_birth(minimum_age=18, maximum_age=90)
        return day.isoformat() if self.rng.random() < 0.5 else day.strftime("%m/%d/%Y")

    # -- decoys -----------------------------------------------------------------------------
    def decoy(self) -> str:
        rng = self.rng
        card = self.fake.credit_card_number(card_type="visa16")
        bad_card = card[:-1] + str((int(card[-1]) + rng.randint(1, 9)) % 10)
        iban = self.locales["de_DE"].iban()
        # check digits are unique in 02..98 for a given account: any other value there fails mod-97
        bad_iban = iban[:2] + f"{rng.choice([c for c in range(2, 99) if c != int(iban[2:4])]):02d}" + iban[4:]
        choices: list[Callable[[], str]] = [
            lambda: f"invoice number {bad_card}",
            lambda: f"order ORD-{rng.randint(2019, 2026)}-{rng.randint(1, 999999):06d}",
            lambda: f"running version {rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
            lambda: f"ref {rng.choice(['000', '666', '912'])}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
            lambda: f"request id {self.fake.uuid4()}",
            lambda: f"at {self.fake.iso8601()}Z",
            lambda: f"tracking 1Z{rng.randint(100, 999)}AA1{rng.randint(10**9, 10**10 - 1)}",
            lambda: f"transfer ref {bad_iban}",
            lambda: f"shipped on {self.fake.date_this_decade().isoformat()}",
            lambda: f"total ${rng.randint(1, 9999)}.{rng.randint(0, 99):02d}",
            lambda: f"build {rng.randint(1000, 99999)} at {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
                    f"{rng.randint(0, 59):02d}",
        ]
        return rng.choice(choices)()

    # -- records ----------------------------------------------------------------------------
    TEMPLATES: ClassVar[dict[str, tuple[str, ...]]] = {
        "EMAIL_ADDRESS": ("please reach me at {}", "my email is {}", "send the invoice to {}"),
        "PHONE_NUMBER": ("call me back on {}", "my number is {}", "phone: {}"),
        "CREDIT_CARD": ("I was charged twice on card {}", "card number {} was declined", "pay with {}"),
        "IBAN_CODE": ("refund to my account {}", "IBAN {} please", "bank account: {}"),
        "US_SSN": ("my ssn is {}", "SSN {} for the tax form", "social security {}"),
        "IP_ADDRESS": ("login came from {}", "the server at {} is down", "my ip is {}"),
        "DATE_OF_BIRTH": ("date of birth {}", "dob: {}", "I was born {}"),
    }

    def value(self, kind: str) -> str:
        return {"EMAIL_ADDRESS": self.email, "PHONE_NUMBER": self.phone, "CREDIT_CARD": self.card,
                "IBAN_CODE": self.iban, "US_SSN": self.ssn, "IP_ADDRESS": self.ip, "DATE_OF_BIRTH": self.dob}[kind]()

    def record(self, kinds: list[str], decoys: int, filler: int) -> tuple[str, list[dict[str, object]]]:
        pieces: list[tuple[str, str | None, str | None]] = []
        for kind in kinds:
            template = self.rng.choice(self.TEMPLATES[kind])
            pieces.append((template, kind, self.value(kind)))
        pieces += [(self.decoy(), None, None) for _ in range(decoys)]
        pieces += [(self.fake.sentence(nb_words=self.rng.randint(6, 14)).rstrip("."), None, None)
                   for _ in range(filler)]
        self.rng.shuffle(pieces)
        text, spans = "", []
        for template, kind, value in pieces:
            if text:
                text += ", " if self.rng.random() < 0.6 else ". "
            if kind is None:
                text += template
                continue
            prefix = template.split("{}")[0]
            start = len(text) + len(prefix)
            text += template.format(value)
            spans.append({"start": start, "end": start + len(value), "type": kind})
        return text, spans


# ---- the CRM tuning set: records in many locales, scored per record and type ---------------------------
# Written to tune the classes an independent corpus showed missing (month-name birth dates, SSNs without
# separators, phone numbers the metadata rejects, national formats outside North America, `00`
# prefixes, version strings); kept apart from any evaluation set, which nobody tuning reads.

CRM_LOCALES = ("en_US", "en_GB", "en_CA", "de_DE", "de_AT", "fr_FR", "fr_CH", "es_ES", "it_IT", "nl_NL", "pt_PT",
               "pl_PL", "sv_SE", "da_DK")
CRM_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}
CRM_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"PHONE_NUMBER": ("phone: {}", "call me at {}", "contact {}", "my cell is {}", "you can reach me on {}",
                            "Tel. {}", "mobile {}"),
           "DATE_OF_BIRTH": ("DOB: {}", "date of birth {}", "born {}", "I was born on {}", "birthday: {}"),
           "EMAIL_ADDRESS": ("email {}", "write to {}", "my address is {}"),
           "US_SSN": ("SSN {}", "social security no. {}", "my social security number is {}", "SSN#: {}"),
           "CREDIT_CARD": ("card {}", "charged to {}", "the Visa ending... full number {}"),
           "IBAN_CODE": ("IBAN {}", "refund to {}"),
           "IP_ADDRESS": ("logged in from {}", "IP {}", "blocked address {}")},
    "de": {"PHONE_NUMBER": ("Telefon: {}", "Tel. {}", "erreichbar unter {}", "Handy {}", "Rückruf bitte an {}"),
           "DATE_OF_BIRTH": ("Geburtsdatum: {}", "geb. {}", "geboren am {}"),
           "EMAIL_ADDRESS": ("E-Mail {}", "Mail an {}"), "IBAN_CODE": ("IBAN {}", "Konto {}"),
           "CREDIT_CARD": ("Kreditkarte {}",), "IP_ADDRESS": ("IP-Adresse {}",)},
    "fr": {"PHONE_NUMBER": ("téléphone : {}", "tél. {}", "portable {}", "appelez-moi au {}"),
           "DATE_OF_BIRTH": ("date de naissance : {}", "né le {}", "née le {}"),
           "EMAIL_ADDRESS": ("courriel {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("carte {}",),
           "IP_ADDRESS": ("adresse IP {}",)},
    "es": {"PHONE_NUMBER": ("teléfono: {}", "móvil {}", "llámame al {}"),
           "DATE_OF_BIRTH": ("fecha de nacimiento: {}", "nacido el {}", "nacida el {}"),
           "EMAIL_ADDRESS": ("correo {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("tarjeta {}",),
           "IP_ADDRESS": ("IP {}",)},
    "it": {"PHONE_NUMBER": ("telefono: {}", "cellulare {}", "chiamami al {}"),
           "DATE_OF_BIRTH": ("data di nascita: {}", "nato il {}", "nata il {}"),
           "EMAIL_ADDRESS": ("email {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("carta {}",),
           "IP_ADDRESS": ("indirizzo IP {}",)},
    "nl": {"PHONE_NUMBER": ("telefoon: {}", "mobiel {}", "bel me op {}"),
           "DATE_OF_BIRTH": ("geboortedatum: {}", "geboren op {}"),
           "EMAIL_ADDRESS": ("e-mail {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("creditcard {}",),
           "IP_ADDRESS": ("IP-adres {}",)},
    "pt": {"PHONE_NUMBER": ("telefone: {}", "telemóvel {}", "ligue para {}"),
           "DATE_OF_BIRTH": ("data de nascimento: {}", "nascido em {}"),
           "EMAIL_ADDRESS": ("email {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("cartão {}",),
           "IP_ADDRESS": ("IP {}",)},
}
CRM_FILLER = {
    "en": ("my order has not arrived", "please update my account", "the app keeps crashing", "thanks for the help"),
    "de": ("meine Bestellung ist nicht angekommen", "bitte Konto aktualisieren", "danke"),
    "fr": ("ma commande n'est pas arrivée", "merci de mettre à jour mon compte"),
    "es": ("mi pedido no ha llegado", "gracias por la ayuda"),
    "it": ("il mio ordine non è arrivato", "grazie mille"),
    "nl": ("mijn bestelling is niet aangekomen", "bedankt"),
    "pt": ("a minha encomenda não chegou", "obrigado"),
}


class CrmGenerator:
    """Support, CRM and chat records across locales, with the value classes that an independent corpus
    showed missing, and decoys (build and version strings, order ids, amounts, dates of other events)."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.fakers = {code: Faker(code) for code in CRM_LOCALES}
        for index, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed + index)

    def dob(self, language: str) -> str:
        day = self.fakers["en_US"].date_of_birth(minimum_age=18, maximum_age=95)
        months = CRM_MONTHS.get(language, CRM_MONTHS["en"]).split()
        month = months[day.month - 1]
        styles = [f"{day.day} {month} {day.year}", f"{day.day:02d}.{day.month:02d}.{day.year}",
                  f"{day.day:02d}/{day.month:02d}/{day.year}", day.isoformat()]
        if language == "en":
            styles += [f"{month[:3]} {day.day} {day.year}", f"{month} {day.day}, {day.year}",
                       f"{day.month}/{day.day}/{day.year}", f"{day.day}-{month[:3]}-{day.year}"]
        elif language == "de":
            styles.append(f"{day.day}. {month} {day.year}")
        elif language in ("es", "pt"):
            styles.append(f"{day.day} de {month} de {day.year}")
        return self.rng.choice(styles)

    def phone(self, locale: str) -> str:
        faker = self.fakers[locale]
        if locale == "en_US" and self.rng.random() < 0.3:  # 1-AAA-EEE-NNNN, area codes assigned or not
            return f"1-{self.rng.randint(200, 999)}-{self.rng.randint(200, 999)}-{self.rng.randint(0, 9999):04d}"
        number = faker.phone_number()
        if number.startswith("+") and self.rng.random() < 0.3:  # the international 00 prefix
            return "00" + number[1:].replace("(0)", "").replace("  ", " ")
        return number

    def ssn(self) -> str:
        value = self.fakers["en_US"].ssn()
        return value.replace("-", "") if self.rng.random() < 0.4 else value

    def value(self, kind: str, locale: str, language: str) -> str:
        faker = self.fakers[locale]
        if kind == "PHONE_NUMBER":
            return self.phone(locale)
        if kind == "DATE_OF_BIRTH":
            return self.dob(language)
        if kind == "US_SSN":
            return self.ssn()
        if kind == "EMAIL_ADDRESS":
            return faker.email()
        if kind == "CREDIT_CARD":
            return self.fakers["en_US"].credit_card_number(card_type=self.rng.choice(("visa16", "mastercard", "amex")))
        if kind == "IBAN_CODE":
            return faker.iban()
        return faker.ipv4_public() if self.rng.random() < 0.8 else faker.ipv6()

    def decoy(self) -> str:
        rng = self.rng
        return rng.choice([
            f"Build {rng.randint(1, 20)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}-beta",
            f"version {rng.randint(1, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}.{rng.randint(0, 999)}",
            f"firmware {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(1, 200)}",
            f"order #{rng.randint(10**7, 10**8)}", f"ticket ORD-{rng.randint(2019, 2026)}-{rng.randint(1, 10**6):06d}",
            f"ordered on {rng.randint(1, 28)} March {rng.randint(2021, 2025)}", f"total {rng.randint(1, 999)}.{rng.randint(10, 99)} EUR",
            f"tracking {rng.randint(10**11, 10**12)}", f"delivered {rng.randint(2021, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        ])

    def record(self) -> tuple[str, list[dict[str, object]]]:
        locale = self.rng.choice(CRM_LOCALES)
        language = locale[:2] if locale[:2] in CRM_LABELS else "en"
        labels = CRM_LABELS[language]
        kinds = self.rng.sample(sorted(set(labels) | {"PHONE_NUMBER"}), self.rng.choice((1, 2, 2, 3)))
        if locale == "en_US" and self.rng.random() < 0.3:
            kinds.append("US_SSN")
        pieces: list[tuple[str, str | None, str | None]] = []
        for kind in dict.fromkeys(kinds):
            templates = labels.get(kind) or CRM_LABELS["en"][kind]
            pieces.append((self.rng.choice(templates), kind, self.value(kind, locale, language)))
        pieces += [(self.decoy(), None, None) for _ in range(self.rng.choice((0, 1, 1, 2)))]
        pieces.append((self.rng.choice(CRM_FILLER[language]), None, None))
        self.rng.shuffle(pieces)
        text, spans = "", []
        for template, kind, value in pieces:
            text += ". " if text else ""
            if kind is None:
                text += template
                continue
            start = len(text) + len(template.split("{}")[0])
            text += template.format(value)
            spans.append({"start": start, "end": start + len(value), "type": kind})
        return text, spans


def make_crm_corpus(out: Path, records: int, seed: int = 14) -> None:
    """crm.txt (UTF-8, one record per line) and crm.labels.jsonl, as `write_corpus` writes them."""
    generator = CrmGenerator(seed)
    with open(out / "crm.txt", "w", encoding="utf-8") as text, open(out / "crm.labels.jsonl", "w") as labels:
        for _ in range(records):
            line, spans = generator.record()
            text.write(line.replace("\n", " ") + "\n")
            labels.write(json.dumps(spans) + "\n")


# ---- the world tuning set: values Faker did not make -------------------------------------------------
# Phone numbers from `phonenumbers`' own example numbers (digits varied, kept only when still valid) in the
# ways each country writes them (trunk 0, +CC and 00CC, (0) after the code, spaces, dots, dashes, slashes,
# parentheses), birth dates in the CLDR formats of each locale (`babel`: short, medium, long and full, with
# month names in the locale's language), and the birth and phone words of that language. Decoys are the
# values such text holds that look like PII and are not: version and build strings, national ids, postal
# codes, amounts with thousands separators, dates of other events. Tuning only: the evaluation set is apart.
# Added from E.123 and national habit (`WorldGenerator.conventions`): `+CC (0)…` with the national grouping, `00 CC`
# and `011 CC`, spaced slashes and dashes (`0451 - 641953`, `079 / 302 18 92`), DIN pairs, Brazil's `(11) 9 1234-5678`
# and `0xx11`, French, Spanish and Italian groupings, toll-free numbers (`1-800`, `0800`, `1800 …`), extensions in eight
# languages (`WORLD_EXTENSIONS`), unseparated numbers after a phone word only, cards after card words, and decoys:
# Luhn-valid order/invoice/tracking references, tax ids (SIRET, USt-IdNr., Partita IVA, CNPJ), ISBNs, postal codes.

WORLD_LOCALES = {  # locale: (language, phone region)
    "en_US": ("en", "US"), "en_GB": ("en", "GB"), "en_CA": ("en", "CA"), "en_IE": ("en", "IE"),
    "de_DE": ("de", "DE"), "de_AT": ("de", "AT"), "de_CH": ("de", "CH"), "fr_FR": ("fr", "FR"),
    "fr_BE": ("fr", "BE"), "es_ES": ("es", "ES"), "es_MX": ("es", "MX"), "it_IT": ("it", "IT"),
    "nl_NL": ("nl", "NL"), "nl_BE": ("nl", "BE"), "pt_BR": ("pt", "BR"), "pt_PT": ("pt", "PT"),
    "pl_PL": ("pl", "PL"), "sv_SE": ("sv", "SE"), "da_DK": ("da", "DK"), "ja_JP": ("ja", "JP"),
}
WORLD_PHONE_WORDS = {
    "en": ("phone: {}", "call me at {}", "my cell is {}", "Tel. {}", "mobile: {}", "reach me on {}", "ph. {}",
           "contact number {}", "please call {}", "fax {}", "text me at {}", "my number is {}", "WhatsApp: {}",
           "you can reach me at {}", "call back on {}", "Tel: {}", "phone no. {}", "Mobile {}"),
    "de": ("Telefon: {}", "Tel.: {}", "Handy {}", "Mobil: {}", "erreichbar unter {}", "Rufnummer {}",
           "rufen Sie mich an: {}", "Telefonnummer {}", "Rückruf unter {}", "Mobilnummer: {}", "Tel {}", "Fax: {}",
           "bitte anrufen: {}"),
    "fr": ("téléphone : {}", "tél. {}", "portable : {}", "appelez-moi au {}", "joignable au {}", "mobile {}",
           "tél : {}", "rappelez-moi au {}", "numéro de portable {}", "Tél. fixe : {}"),
    "es": ("teléfono: {}", "tel. {}", "móvil {}", "llámame al {}", "celular: {}", "número de teléfono {}",
           "llame al {}", "whatsapp {}", "teléfono de contacto {}"),
    "it": ("telefono: {}", "tel. {}", "cellulare {}", "chiamami al {}", "cell. {}", "numero di telefono {}",
           "chiamare il {}"),
    "nl": ("telefoon: {}", "tel. {}", "mobiel: {}", "bel me op {}", "telefoonnummer {}", "mobiele nummer {}"),
    "pt": ("telefone: {}", "tel. {}", "celular: {}", "telemóvel {}", "ligue para {}", "whatsapp {}",
           "fone: {}", "contato: {}"),
    "pl": ("telefon: {}", "tel. {}", "kom. {}", "numer telefonu {}", "komórka: {}", "proszę dzwonić pod {}",
           "tel. kom. {}"),
    "sv": ("telefon: {}", "tel. {}", "mobil: {}", "ring mig på {}"),
    "da": ("telefon: {}", "tlf. {}", "mobil: {}", "ring til mig på {}"),
    "ja": ("電話番号: {}", "電話 {}", "携帯: {}", "TEL {}", "連絡先: {}"),
}
WORLD_DOB_WORDS = {
    "en": ("DOB: {}", "date of birth {}", "born {}", "I was born on {}", "birthday: {}", "D.O.B. {}"),
    "de": ("Geburtsdatum: {}", "geb. {}", "geboren am {}", "Geburtstag: {}"),
    "fr": ("date de naissance : {}", "né le {}", "née le {}"),
    "es": ("fecha de nacimiento: {}", "nacido el {}", "nacida el {}", "F. nacimiento {}"),
    "it": ("data di nascita: {}", "nato il {}", "nata il {}"),
    "nl": ("geboortedatum: {}", "geboren op {}", "geb. {}"),
    "pt": ("data de nascimento: {}", "nascido em {}", "nascida em {}", "nasc. {}"),
    "pl": ("data urodzenia: {}", "urodzony {}", "urodzona {}", "ur. {}"),
    "sv": ("födelsedatum: {}", "född {}"),
    "da": ("fødselsdato: {}", "født {}", "født den {}"),
    "ja": ("生年月日: {}", "生年月日 {}", "誕生日: {}"),
}
WORLD_FILLER = {
    "en": ("my order has not arrived", "please update my account", "thanks for the help"),
    "de": ("meine Bestellung ist nicht angekommen", "bitte Konto aktualisieren", "danke"),
    "fr": ("ma commande n'est pas arrivée", "merci de mettre à jour mon compte"),
    "es": ("mi pedido no ha llegado", "gracias por la ayuda"),
    "it": ("il mio ordine non è arrivato", "grazie mille"),
    "nl": ("mijn bestelling is niet aangekomen", "bedankt"),
    "pt": ("meu pedido não chegou", "obrigado pela ajuda"),
    "pl": ("moje zamówienie nie dotarło", "dziękuję za pomoc"),
    "sv": ("min beställning har inte kommit", "tack för hjälpen"),
    "da": ("min ordre er ikke kommet", "tak for hjælpen"),
    "ja": ("注文が届いていません", "よろしくお願いします"),
}
WORLD_VERSION_WORDS = {"en": "version", "de": "Version", "fr": "version", "es": "versión", "it": "versione",
                       "nl": "versie", "pt": "versão", "pl": "wersja", "sv": "version", "da": "version",
                       "ja": "バージョン"}
WORLD_EVENT_WORDS = {"en": "ordered on", "de": "Bestellung vom", "fr": "commande du", "es": "pedido del",
                     "it": "ordine del", "nl": "besteld op", "pt": "pedido em", "pl": "zamówienie z dnia",
                     "sv": "beställd", "da": "bestilt", "ja": "注文日"}


WORLD_LOOSE_SHARE = 0.35  # share of phone numbers that are well-formed but not valid per `phonenumbers`' metadata
WORLD_PHONE_CELL_SHARE = 0.2  # share of records that are one cell of a phone column rather than free text
WORLD_PHONE_COLUMNS = {  # how a column of phone numbers is named, per language
    "en": ("phone", "Phone Number", "phone_number", "mobile", "cell_phone", "tel", "contact_phone", "fax", "Mobile No"),
    "de": ("Telefon", "Telefonnummer", "Tel.", "Handy", "Mobilnummer", "Rufnummer", "telefon_privat"),
    "fr": ("téléphone", "Téléphone portable", "tel_fixe", "portable"),
    "es": ("teléfono", "móvil", "telefono_movil", "celular"),
    "it": ("telefono", "cellulare", "numero_telefono"),
    "nl": ("telefoon", "telefoonnummer", "mobiel"),
    "pt": ("telefone", "celular", "telemovel", "whatsapp"),
    "pl": ("telefon", "nr_telefonu", "komórka"),
    "sv": ("telefon", "mobilnummer"), "da": ("telefon", "mobil"),
    "ja": ("電話番号", "phone", "tel"),
}
WORLD_EXTENSIONS = {  # an extension after the number, as each language writes it
    "en": (" ext. {}", " x{}", " ext {}", " extension {}"), "de": (" Durchwahl {}", " Durchwahl -{}", " Dw. {}"),
    "fr": (" poste {}",), "es": (" ext. {}", " extensión {}"), "it": (" interno {}", " int. {}"),
    "nl": (" toestel {}",), "pt": (" ramal {}",), "pl": (" wew. {}",),
}
WORLD_CARD_WORDS = {"en": ("card {}", "card number {}", "charged to card {}"), "de": ("Kreditkarte {}",),
                    "fr": ("carte {}", "numéro de carte {}"), "es": ("tarjeta {}",), "it": ("carta {}",),
                    "nl": ("creditcard {}",), "pt": ("cartão {}",), "pl": ("karta {}",)}


def _luhn_digit(body: str) -> str:
    """The check digit that makes `body` + digit pass Luhn."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str(-total % 10)


class WorldGenerator:
    """Records in 20 locales from `phonenumbers` example numbers and CLDR date formats (no Faker)."""

    def __init__(self, seed: int) -> None:
        import phonenumbers

        self.rng = random.Random(seed)
        self.pn = phonenumbers

    def phone(self, region: str, labelled: bool = True) -> str:
        pn, rng = self.pn, self.rng
        kind = rng.choice((pn.PhoneNumberType.FIXED_LINE, pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.MOBILE,
                           pn.PhoneNumberType.TOLL_FREE if rng.random() < 0.3 else pn.PhoneNumberType.FIXED_LINE))
        example = pn.example_number_for_type(region, kind) or pn.example_number(region)
        national = pn.national_significant_number(example)
        number = example
        # a third of the numbers are only well-formed: the type's first digit, then any digits, as test data,
        # new ranges the metadata does not list yet, and mistyped numbers are (kept when the country's format
        # still groups them, as a person would write one)
        loose = rng.random() < WORLD_LOOSE_SHARE
        for _ in range(200):  # vary the digits after the first one to three; keep the number only if still valid
            keep = 1 if loose else rng.randint(1, 3)
            digits = national[:keep] + "".join(rng.choice("0123456789") for _ in national[keep:])
            candidate = pn.parse(f"+{example.country_code}{digits}")
            nanp_form = example.country_code != 1 or (digits[0] not in "01" and digits[3] not in "01")
            if loose and nanp_form and not pn.is_valid_number(candidate) and len(
                    pn.format_number(candidate, pn.PhoneNumberFormat.NATIONAL).replace("-", " ").split()) >= 2:
                number = candidate
                break
            if not loose and pn.is_valid_number(candidate) and pn.number_type(candidate) == kind:
                number = candidate
                break
        written = self.written(number, region, labelled)
        if rng.random() < 0.08:  # an extension, as each language writes it
            language = next(lang for lang, reg in WORLD_LOCALES.values() if reg == region)
            written += rng.choice(WORLD_EXTENSIONS.get(language, WORLD_EXTENSIONS["en"])).format(rng.randint(1, 999))
        return written

    def written(self, number: object, region: str, labelled: bool = True) -> str:
        pn, rng = self.pn, self.rng
        national = pn.format_number(number, pn.PhoneNumberFormat.NATIONAL)
        international = pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL)
        nsn = pn.national_significant_number(number)
        code = str(number.country_code)  # type: ignore[attr-defined]
        forms = [national, national, international, "00" + international[1:], international.replace(" ", "-"),
                 pn.format_number(number, pn.PhoneNumberFormat.E164)]
        groups = national.replace("(", "").replace(")", "").replace("-", " ").split()
        if region not in ("US", "CA") and "(" not in national:
            forms += [national.replace(" ", "-"), national.replace(" ", ".")]
        trunk = national.startswith("0") and pn.PhoneMetadata.metadata_for_region(region).national_prefix == "0"
        if trunk and len(groups) >= 2:  # not Italy: its leading 0 is part of the number, kept after +39
            trunk_area, rest = groups[0], "".join(groups[1:])
            forms += [f"{trunk_area} {rest}", f"{trunk_area}/{rest}", f"{trunk_area}-{rest}", f"({trunk_area}) {rest}",
                      f"+{code} (0){trunk_area[1:]} {rest}", f"+{code}(0){trunk_area[1:]} {rest}",
                      f"+{code} {trunk_area[1:]} {rest}", f"00{code} {trunk_area[1:]} {rest}"]
        if region == "PL" and len(nsn) == 9:
            forms += [f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}",
                      f"+48 {nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"+48 {nsn[:2]} {nsn[2:5]} {nsn[5:7]} {nsn[7:]}",
                      f"({nsn[:2]}) {nsn[2:5]} {nsn[5:7]} {nsn[7:]}"]
        if region == "BR":
            area, rest = nsn[:2], nsn[2:]
            forms += [f"({area}) {rest[:-4]}-{rest[-4:]}", f"({area}) {rest[:-4]} {rest[-4:]}",
                      f"+55 ({area}) {rest[:-4]}-{rest[-4:]}", f"+55 {area} {rest[:-4]}-{rest[-4:]}",
                      f"(0{area}) {rest[:-4]}-{rest[-4:]}", f"0{area} {rest[:-4]}-{rest[-4:]}",
                      f"{area} {rest[:-4]}-{rest[-4:]}", f"+55 {area} {rest}"]
        if region in ("NL", "AT", "DE", "CH", "BE", "IT", "FR", "SE", "DK", "JP", "GB", "ES", "PT"):
            forms += [international.replace(" ", "", 1), international.replace(" ", "")]
        if region in ("US", "CA"):
            digits = nsn
            forms += [f"({digits[:3]}){digits[3:6]}-{digits[6:]}", f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}",
                      f"{digits[:3]}.{digits[3:6]}.{digits[6:]}", f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}",
                      f"001-{digits[:3]}-{digits[3:6]}-{digits[6:]}", f"{digits[:3]}-{digits[3:6]}-{digits[6:]} x{rng.randint(1, 999)}"]
        forms += self.conventions(region, national, international, nsn, code, trunk)
        if labelled:  # no separators, after a phone word only: a bare run of digits elsewhere is an id
            forms += [national.replace(" ", "").replace("-", "") if "(" not in national else nsn,
                      f"+{code}{nsn}", f"00{code}{nsn}"]
        return rng.choice(forms)

    def conventions(self, region: str, national: str, international: str, nsn: str, code: str,
                    trunk: bool) -> list[str]:
        """The written forms E.123 and national habit add to what `phonenumbers` formats: the trunk digit kept
        as `(0)` inside the international form with the national grouping, `00`/`011` dialling prefixes,
        slashes after the area code, spaced dashes, pairs from the right (DIN 5008's older habit)."""
        rng = self.rng
        forms: list[str] = []
        groups = national.replace("(", "").replace(")", "").replace("-", " ").split()
        if trunk and len(groups) >= 2:
            forms += [f"+{code} (0){national[1:]}", f"+{code} (0) {national[1:]}", f"+{code}(0){national[1:]}",
                      f"{groups[0]} / {' '.join(groups[1:])}", f"{groups[0]} - {''.join(groups[1:])}",
                      f"00{code} (0){national[1:]}" if region in ("DE", "AT", "CH") else f"0{national[1:]}"]
            rest = "".join(groups[1:])
            pairs = " ".join(rest[max(0, i - 2):i] for i in range(len(rest), 0, -2)[::-1])
            if region in ("DE", "AT", "CH"):
                forms += [f"{groups[0]} {pairs}", f"({groups[0]}) {pairs}", f"{groups[0]}/{pairs}"]
        forms += [f"00 {international[1:]}", f"011 {international[1:]}", f"+{code}-{international.split(' ', 1)[-1]}"]
        if region == "BR" and len(nsn) == 11:  # the mobile's leading 9 set apart: (11) 9 1234-5678
            area, rest = nsn[:2], nsn[2:]
            forms += [f"({area}) {rest[0]} {rest[1:5]}-{rest[5:]}", f"+55 {area} {rest[0]} {rest[1:5]}-{rest[5:]}",
                      f"{area} {rest[:5]} {rest[5:]}", f"+55 ({area}) {rest[:5]} {rest[5:]}",
                      f"0xx{area} {rest[:5]}-{rest[5:]}", f"({area}) {rest[:5]}.{rest[5:]}"]
        if region == "BR" and len(nsn) == 10:
            forms += [f"({nsn[:2]}) {nsn[2:6]}.{nsn[6:]}", f"{nsn[:2]} {nsn[2:6]} {nsn[6:]}"]
        if region == "FR" and len(nsn) == 9:
            pairs = " ".join(nsn[i:i + 2] for i in range(1, 9, 2))
            forms += [f"+33 (0){nsn[0]} {pairs}", f"0033 {nsn[0]} {pairs}", f"0{nsn[0]}-{pairs.replace(' ', '-')}",
                      f"+33 {nsn[0]} {pairs}"]
        if region == "ES" and len(nsn) == 9:
            forms += [f"{nsn[:3]} {nsn[3:5]} {nsn[5:7]} {nsn[7:]}", f"+34 {nsn[:3]} {nsn[3:5]} {nsn[5:7]} {nsn[7:]}",
                      f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}", f"+34 {nsn[:3]}-{nsn[3:6]}-{nsn[6:]}"]
        if region == "IT":
            forms += [f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"{nsn[:3]}/{nsn[3:]}", f"+39 {nsn[:3]} {nsn[3:]}"]
        if region == "NL" and national.startswith("0"):
            forms += [f"+31 (0){national[1:]}", f"{groups[0]}-{' '.join(groups[1:])}"]
        if region == "AU" and national.startswith("0"):
            forms += [f"+61 (0){national[1:]}", f"+61 {national[1:]}"]
        if region in ("US", "CA"):
            a, e, n = nsn[:3], nsn[3:6], nsn[6:]
            forms += [f"1 ({a}) {e}-{n}", f"1.{a}.{e}.{n}", f"+1.{a}.{e}.{n}", f"{a} {e} {n}", f"1 {a} {e} {n}",
                      f"+1 {a}-{e}-{n}", f"({a}) {e} {n}", f"{a}/{e}-{n}"]
        return [rng.choice(forms)] if forms else []

    def card_value(self) -> str:
        """A Luhn-valid number from an issuer range (Visa, Mastercard, Amex, Discover), grouped or not."""
        rng = self.rng
        prefix, length = rng.choice((("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15),
                                     ("6011", 16), ("4", 13)))
        body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
        number = body + _luhn_digit(body)
        if length == 16 and rng.random() < 0.4:
            return " ".join(number[i:i + 4] for i in range(0, 16, 4))
        if length == 15 and rng.random() < 0.3:
            return f"{number[:4]} {number[4:10]} {number[10:]}"
        return number

    def dob(self, locale: str) -> str:
        import datetime

        from babel.dates import format_date

        rng = self.rng
        day = datetime.date(rng.randint(1930, 2006), rng.randint(1, 12), rng.randint(1, 28))
        form = rng.choice(("short", "medium", "medium", "long", "long", "full", "iso", "numeric"))
        if form == "iso":
            return day.isoformat()
        if form == "numeric":
            return rng.choice((f"{day.day:02d}.{day.month:02d}.{day.year}", f"{day.day:02d}/{day.month:02d}/{day.year}",
                               f"{day.day}-{day.month}-{day.year}", f"{day.year}/{day.month:02d}/{day.day:02d}"))
        return format_date(day, form, locale=locale)

    def decoy(self, language: str) -> str:
        rng = self.rng
        version = WORLD_VERSION_WORDS[language]
        dotted = f"{rng.randint(1, 20)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}"
        return rng.choice([
            f"Build {dotted}-beta", f"v{dotted}", f"{version} {dotted}", f"app {version} {dotted}",
            f"{version}: {dotted} (beta)", f"build-{dotted}", f"release {dotted}-rc{rng.randint(1, 5)}",
            f"firmware {dotted}", f"{dotted}-SNAPSHOT",
            f"{WORLD_EVENT_WORDS[language]} {rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2019, 2025)}",
            f"{WORLD_EVENT_WORDS[language]} {rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"order #{rng.randint(10**7, 10**9)}", f"ref. {rng.randint(100, 999)}/{rng.randint(2020, 2025)}",
            f"total {rng.randint(1, 999)} {rng.randint(100, 999)},{rng.randint(10, 99)}",  # 1 234,56 (fr, pl, sv)
            f"R$ {rng.randint(1, 99)}.{rng.randint(100, 999)},{rng.randint(10, 99)}",
            f"{rng.randint(1, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)} EUR",
            f"NIP {rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            f"CPF {rng.randint(100, 999)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}-{rng.randint(10, 99)}",
            f"PESEL {rng.randint(10**10, 10**11 - 1)}", f"kod {rng.randint(10, 99)}-{rng.randint(100, 999)} Warszawa",
            f"CEP {rng.randint(10000, 99999)}-{rng.randint(100, 999)}", f"{rng.randint(1000, 9999)} AB Amsterdam",
            f"Steuer-ID {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            f"tracking {rng.randint(10**11, 10**12)}", f"at {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            f"{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)} items",
            # order, invoice and tracking references that happen to pass Luhn; tax ids; postal codes; amounts
            f"order_ref: {self.card_value().replace(' ', '')}", f"order {self.card_value().replace(' ', '')}",
            f"invoice no. {self.card_value().replace(' ', '')}", f"Ref {self.card_value().replace(' ', '')}",
            f"tracking number {self.card_value().replace(' ', '')}", f"ORD-{self.card_value().replace(' ', '')}",
            f"Bestellnummer {rng.randint(10**9, 10**10)}", f"Rechnung Nr. {rng.randint(2019, 2025)}/{rng.randint(1000, 99999)}",
            f"invoice INV-{rng.randint(2019, 2025)}-{rng.randint(0, 999999):06d}",
            f"SIRET {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(10000, 99999)}",
            f"USt-IdNr. DE{rng.randint(10**8, 10**9 - 1)}", f"Partita IVA {rng.randint(10**10, 10**11 - 1)}",
            f"CNPJ {rng.randint(10, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}/0001-{rng.randint(10, 99)}",
            f"ISBN 978-{rng.randint(0, 9)}-{rng.randint(10, 99)}-{rng.randint(100000, 999999)}-{rng.randint(0, 9)}",
            f"PLZ {rng.randint(10000, 99999)}", f"{rng.randint(1010, 9990)} Wien", f"{rng.randint(1000, 9999)} Zürich",
            f"ZIP {rng.randint(10000, 99999)}-{rng.randint(1000, 9999)}",
            f"total {rng.randint(1, 999)}.{rng.randint(100, 999)}.{rng.randint(100, 999)},{rng.randint(10, 99)} EUR",
            f"v{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 200)}",
        ])

    def record(self) -> tuple[str, list[dict[str, object]], str]:
        """(text, gold spans, column): the column is `text` for free text, else the name of a phone column."""
        rng = self.rng
        locale = rng.choice(list(WORLD_LOCALES))
        language, region = WORLD_LOCALES[locale]
        if rng.random() < WORLD_PHONE_CELL_SHARE:  # one cell of a phone column: the number alone, any form
            value = self.phone(region, labelled=True)
            return value, [{"start": 0, "end": len(value), "type": "PHONE_NUMBER"}], rng.choice(
                WORLD_PHONE_COLUMNS[language])
        pieces: list[tuple[str, str | None, str | None]] = []
        for kind in rng.sample(["PHONE_NUMBER", "PHONE_NUMBER", "DATE_OF_BIRTH"], rng.choice((1, 2))):
            if kind == "PHONE_NUMBER" and any(k == kind for _, k, _ in pieces):
                continue
            if kind == "PHONE_NUMBER":
                labelled = rng.random() < 0.75
                template = rng.choice(WORLD_PHONE_WORDS[language]) if labelled else "{}"
                pieces.append((template, kind, self.phone(region, labelled)))
            else:
                pieces.append((rng.choice(WORLD_DOB_WORDS[language]), kind, self.dob(locale)))
        if rng.random() < 0.1:
            pieces.append((rng.choice(WORLD_CARD_WORDS.get(language, WORLD_CARD_WORDS["en"])), "CREDIT_CARD",
                           self.card_value()))
        pieces += [(self.decoy(language), None, None) for _ in range(rng.choice((0, 1, 1, 2)))]
        pieces.append((rng.choice(WORLD_FILLER[language]), None, None))
        rng.shuffle(pieces)
        text, spans = "", []
        for template, kind, value in pieces:
            text += ". " if text else ""
            if kind is None:
                text += template
                continue
            start = len(text) + len(template.split("{}")[0])
            text += template.format(value)
            spans.append({"start": start, "end": start + len(value), "type": kind})
        return text, spans, "text"


def make_world_corpus(out: Path, records: int, seed: int = 2027) -> None:
    """world.txt (UTF-8, one record per line) and world.labels.jsonl, as `make_crm_corpus` writes them, and
    world.columns.txt: the column each record stands in (`text`, or the name of a phone column)."""
    generator = WorldGenerator(seed)
    with open(out / "world.txt", "w", encoding="utf-8") as text, open(out / "world.labels.jsonl", "w") as labels, \
            open(out / "world.columns.txt", "w", encoding="utf-8") as columns:
        for _ in range(records):
            line, spans, column = generator.record()
            text.write(line.replace("\n", " ") + "\n")
            labels.write(json.dumps(spans) + "\n")
            columns.write(column + "\n")


def write_corpus(out: Path, name: str, lines: int, make: Callable[[], tuple[str, list[dict[str, object]]]]) -> None:
    with open(out / f"{name}.txt", "w", encoding="ascii", errors="replace") as text, \
            open(out / f"{name}.labels.jsonl", "w") as labels:
        for _ in range(lines):
            line, spans = make()
            text.write(line.replace("\n", " ") + "\n")
            labels.write(json.dumps(spans) + "\n")


def make_corpus(out: Path, dense_lines: int, sparse_lines: int, seed: int = 2026) -> None:
    generator = Generator(seed)
    all_kinds = list(Generator.TEMPLATES)

    def dense() -> tuple[str, list[dict[str, object]]]:
        kinds = generator.rng.sample(all_kinds, generator.rng.choice((2, 3, 3)))
        return generator.record(kinds, decoys=generator.rng.choice((1, 2)), filler=1)

    def sparse() -> tuple[str, list[dict[str, object]]]:
        roll = generator.rng.random()
        kinds = [generator.rng.choice(all_kinds)] if roll < 1 / 60 else []
        return generator.record(kinds, decoys=1 if roll > 0.9 else 0, filler=1)

    write_corpus(out, "dense", dense_lines, dense)
    write_corpus(out, "sparse", sparse_lines, sparse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dense-lines", type=int, default=4000)
    parser.add_argument("--sparse-lines", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    make_corpus(args.out, args.dense_lines, args.sparse_lines, args.seed)
    print(f"wrote {args.out}/dense.txt ({args.dense_lines} lines) and sparse.txt ({args.sparse_lines} lines)")


if __name__ == "__main__":
    main()
