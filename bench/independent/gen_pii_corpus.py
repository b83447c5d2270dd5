"""Independent PII corpus: support tickets, CRM notes, chats and e-mails generated with Faker.

Written without reading the dataset scanner's rules or its own benchmark generator, so the
scanner cannot have been tuned to this text. Values come from Faker in 13 locales; the sentence
templates, the label words and the surface forms (month-name dates in eight languages, numbers
with and without separators, `+` and `00` prefixes, national phone formats) are ours. Hard
negatives that look like PII but are not (build strings, order numbers, timestamps, prices,
tracking codes, hashes, UUIDs, EAN/ISBN codes, non-birth dates) are mixed into the same rows.

    python bench/independent/gen_pii_corpus.py DEST [--records 5000] [--seed 1414]

writes DEST/pii_corpus.csv (id, channel, locale, created_at, order_ref, contact, text) and
DEST/pii_truth.jsonl: one line per PII entity, {"id", "row", "column", "type", "value",
"start", "end", "graded"}; `row` is the 1-based data row (header excluded), start/end are code
point offsets inside the cell. Types graded against the README's list: email, phone,
credit_card, iban, us_ssn, ipv4, ipv6, date_of_birth. Person names and street addresses are
written to the truth file with graded=false (the dataset scanner does not claim them).
"""

from __future__ import annotations

import argparse
import csv
import ipaddress
import json
import random
import re
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from faker import Faker

# a fixed "today" so that the corpus is the same whatever day it is generated
TODAY = date(2026, 6, 1)

GRADED = ("email", "phone", "credit_card", "iban", "us_ssn", "ipv4", "ipv6", "date_of_birth")

# locale -> (language of the text, country calling code, weight)
LOCALES: dict[str, tuple[str, str, int]] = {
    "en_US": ("en", "1", 22),
    "en_GB": ("en", "44", 9),
    "en_CA": ("en", "1", 6),
    "en_AU": ("en", "61", 5),
    "de_DE": ("de", "49", 9),
    "de_AT": ("de", "43", 4),
    "de_CH": ("de", "41", 3),
    "fr_FR": ("fr", "33", 9),
    "es_ES": ("es", "34", 8),
    "it_IT": ("it", "39", 7),
    "nl_NL": ("nl", "31", 6),
    "pt_BR": ("pt", "55", 7),
    "pl_PL": ("pl", "48", 5),
}

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "it": [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "pt": [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
    # Polish dates use the genitive month name
    "pl": [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ],
}

# Sentence templates per language. {slot} names a generated value; slots listed in GRADED (and
# name/address) become ground-truth entities, every other slot is a hard negative or filler.
PII_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "en": {
        "email": [
            "You can reach me at {email}.",
            "My email changed to {email}, please update the account.",
            "Please send the invoice to {email} instead.",
            "email: {email}",
            "Customer wrote from {email} asking about the refund.",
            "cc'ing my colleague {email}",
        ],
        "phone": [
            "Call me back on {phone} after 5pm.",
            "Phone: {phone}",
            "my number is {phone}",
            "call me at {phone}",
            "Mobile {phone}",
            "tel. {phone}",
            "Best number to reach me: {phone}.",
            "Left a voicemail at {phone}, no answer.",
            "contact {phone} (home)",
            "Customer called in from {phone} about the outage.",
        ],
        "credit_card": [
            "The charge on card {credit_card} was duplicated.",
            "Card number: {credit_card} exp {expiry}",
            "I paid with my card {credit_card} and got charged twice.",
            "cc {credit_card}",
            "Please remove the saved card {credit_card} from my profile.",
        ],
        "iban": [
            "Please refund to IBAN {iban}.",
            "Bank details: {iban} (account holder {name}).",
            "my IBAN is {iban}",
            "Direct debit from {iban} failed.",
        ],
        "us_ssn": [
            "SSN: {us_ssn}",
            "social security no. {us_ssn}",
            "My social is {us_ssn} for the tax form.",
            "SSN {us_ssn} on file does not match.",
            "Social Security Number {us_ssn}",
        ],
        "ipv4": [
            "The login came from {ipv4}, which wasn't me.",
            "Client IP: {ipv4}",
            "Our firewall blocked {ipv4} after the failed logins.",
            "my public IP is {ipv4}",
        ],
        "ipv6": [
            "Our office egress is {ipv6}.",
            "Connection from IPv6 address {ipv6} was rejected.",
            "client addr {ipv6}",
        ],
        "date_of_birth": [
            "DOB: {date_of_birth}",
            "I was born on {date_of_birth}.",
            "date of birth {date_of_birth}",
            "born {date_of_birth}",
            "Birthdate: {date_of_birth}",
            "For verification, my date of birth is {date_of_birth}.",
        ],
    },
    "de": {
        "email": [
            "Sie erreichen mich unter {email}.",
            "Meine neue E-Mail-Adresse lautet {email}.",
            "Bitte die Rechnung an {email} schicken.",
            "E-Mail: {email}",
        ],
        "phone": [
            "Rufen Sie mich bitte unter {phone} zurück.",
            "Tel.: {phone}",
            "Handy {phone}",
            "Meine Nummer ist {phone}.",
            "Telefon {phone}",
            "erreichbar unter {phone} ab 17 Uhr",
        ],
        "credit_card": [
            "Die Abbuchung von Karte {credit_card} erfolgte doppelt.",
            "Kreditkarte {credit_card}, gültig bis {expiry}",
            "Ich habe mit der Karte {credit_card} bezahlt.",
        ],
        "iban": [
            "Bitte erstatten Sie den Betrag auf IBAN {iban}.",
            "Bankverbindung: {iban}",
            "Die Lastschrift von {iban} ist fehlgeschlagen.",
            "meine IBAN lautet {iban}",
        ],
        "ipv4": ["Der Login kam von {ipv4}, das war nicht ich.", "IP-Adresse: {ipv4}"],
        "ipv6": ["Unsere IPv6-Adresse ist {ipv6}."],
        "date_of_birth": [
            "Geburtsdatum: {date_of_birth}",
            "Ich bin am {date_of_birth} geboren.",
            "geb. {date_of_birth}",
            "geboren am {date_of_birth}",
        ],
    },
    "fr": {
        "email": [
            "Vous pouvez me joindre à {email}.",
            "Ma nouvelle adresse e-mail est {email}.",
            "Merci d'envoyer la facture à {email}.",
            "Courriel : {email}",
        ],
        "phone": [
            "Rappelez-moi au {phone} s'il vous plaît.",
            "Tél. : {phone}",
            "Portable : {phone}",
            "mon numéro est le {phone}",
            "joignable au {phone} après 18h",
        ],
        "credit_card": [
            "La carte {credit_card} a été débitée deux fois.",
            "Carte bancaire {credit_card} exp. {expiry}",
            "J'ai payé avec la carte {credit_card}.",
        ],
        "iban": [
            "Merci de rembourser sur l'IBAN {iban}.",
            "Coordonnées bancaires : {iban}",
            "Le prélèvement sur {iban} a échoué.",
        ],
        "ipv4": ["La connexion venait de {ipv4}, ce n'était pas moi.", "Adresse IP : {ipv4}"],
        "ipv6": ["Notre adresse IPv6 est {ipv6}."],
        "date_of_birth": [
            "Date de naissance : {date_of_birth}",
            "Je suis né le {date_of_birth}.",
            "née le {date_of_birth}",
            "né(e) le {date_of_birth}",
        ],
    },
    "es": {
        "email": [
            "Pueden escribirme a {email}.",
            "Mi nuevo correo es {email}.",
            "Envíen la factura a {email}, por favor.",
            "Correo electrónico: {email}",
        ],
        "phone": [
            "Llámenme al {phone}, por favor.",
            "Tel.: {phone}",
            "Móvil: {phone}",
            "mi número es el {phone}",
            "Teléfono de contacto {phone}",
        ],
        "credit_card": [
            "Me cobraron dos veces en la tarjeta {credit_card}.",
            "Tarjeta {credit_card} caduca {expiry}",
            "Pagué con la tarjeta {credit_card}.",
        ],
        "iban": [
            "Devuelvan el importe al IBAN {iban}.",
            "Datos bancarios: {iban}",
            "El recibo domiciliado en {iban} fue rechazado.",
        ],
        "ipv4": ["El acceso vino de {ipv4} y no fui yo.", "Dirección IP: {ipv4}"],
        "ipv6": ["Nuestra dirección IPv6 es {ipv6}."],
        "date_of_birth": [
            "Fecha de nacimiento: {date_of_birth}",
            "Nací el {date_of_birth}.",
            "nacido el {date_of_birth}",
            "F. nacimiento {date_of_birth}",
        ],
    },
    "it": {
        "email": [
            "Potete scrivermi a {email}.",
            "La mia nuova email è {email}.",
            "Inviate la fattura a {email}, grazie.",
            "E-mail: {email}",
        ],
        "phone": [
            "Richiamatemi al {phone}, grazie.",
            "Tel. {phone}",
            "Cellulare: {phone}",
            "il mio numero è {phone}",
            "Telefono {phone}",
        ],
        "credit_card": [
            "Addebito doppio sulla carta {credit_card}.",
            "Carta di credito {credit_card} scad. {expiry}",
            "Ho pagato con la carta {credit_card}.",
        ],
        "iban": [
            "Rimborsate sull'IBAN {iban}, per favore.",
            "Coordinate bancarie: {iban}",
            "L'addebito su {iban} non è andato a buon fine.",
        ],
        "ipv4": ["L'accesso è arrivato da {ipv4}, non ero io.", "Indirizzo IP: {ipv4}"],
        "ipv6": ["Il nostro indirizzo IPv6 è {ipv6}."],
        "date_of_birth": [
            "Data di nascita: {date_of_birth}",
            "Sono nato il {date_of_birth}.",
            "nata il {date_of_birth}",
            "nato il {date_of_birth}",
        ],
    },
    "nl": {
        "email": [
            "U kunt mij mailen op {email}.",
            "Mijn nieuwe e-mailadres is {email}.",
            "Stuur de factuur naar {email} a.u.b.",
            "E-mail: {email}",
        ],
        "phone": [
            "Bel mij terug op {phone}.",
            "Tel: {phone}",
            "Mobiel: {phone}",
            "mijn nummer is {phone}",
            "telefoonnummer {phone}",
        ],
        "credit_card": [
            "Op kaart {credit_card} is twee keer afgeschreven.",
            "Creditcard {credit_card} geldig tot {expiry}",
            "Ik heb betaald met kaart {credit_card}.",
        ],
        "iban": ["Graag terugstorten op IBAN {iban}.", "Rekeningnummer: {iban}", "De incasso van {iban} is mislukt."],
        "ipv4": ["De login kwam van {ipv4}, dat was ik niet.", "IP-adres: {ipv4}"],
        "ipv6": ["Ons IPv6-adres is {ipv6}."],
        "date_of_birth": [
            "Geboortedatum: {date_of_birth}",
            "Ik ben geboren op {date_of_birth}.",
            "geb. {date_of_birth}",
        ],
    },
    "pt": {
        "email": [
            "Podem me escrever em {email}.",
            "Meu novo e-mail é {email}.",
            "Mandem a nota fiscal para {email}, por favor.",
            "E-mail: {email}",
        ],
        "phone": [
            "Me liguem no {phone}, por favor.",
            "Tel.: {phone}",
            "Celular: {phone}",
            "meu número é {phone}",
            "WhatsApp {phone}",
        ],
        "credit_card": [
            "Fui cobrado duas vezes no cartão {credit_card}.",
            "Cartão {credit_card} validade {expiry}",
            "Paguei com o cartão {credit_card}.",
        ],
        "iban": ["Favor estornar para o IBAN {iban}.", "Dados bancários: {iban}"],
        "ipv4": ["O acesso veio de {ipv4}, não fui eu.", "Endereço IP: {ipv4}"],
        "ipv6": ["Nosso endereço IPv6 é {ipv6}."],
        "date_of_birth": [
            "Data de nascimento: {date_of_birth}",
            "Nasci em {date_of_birth}.",
            "nascida em {date_of_birth}",
            "Dt. nasc. {date_of_birth}",
        ],
    },
    "pl": {
        "email": [
            "Proszę pisać na {email}.",
            "Mój nowy adres e-mail to {email}.",
            "Fakturę proszę wysłać na {email}.",
            "E-mail: {email}",
        ],
        "phone": [
            "Proszę oddzwonić pod numer {phone}.",
            "Tel. {phone}",
            "Komórka: {phone}",
            "mój numer to {phone}",
            "telefon kontaktowy {phone}",
        ],
        "credit_card": [
            "Karta {credit_card} została obciążona dwa razy.",
            "Karta kredytowa {credit_card} ważna do {expiry}",
            "Zapłaciłem kartą {credit_card}.",
        ],
        "iban": [
            "Proszę o zwrot na IBAN {iban}.",
            "Numer rachunku: {iban}",
            "Polecenie zapłaty z {iban} zostało odrzucone.",
        ],
        "ipv4": ["Logowanie przyszło z {ipv4}, to nie byłem ja.", "Adres IP: {ipv4}"],
        "ipv6": ["Nasz adres IPv6 to {ipv6}."],
        "date_of_birth": [
            "Data urodzenia: {date_of_birth}",
            "Urodziłem się {date_of_birth}.",
            "ur. {date_of_birth}",
            "urodzona {date_of_birth}",
        ],
    },
}

NEGATIVE_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "Running version {version} on Windows 11.",
        "Build {build} crashes at startup.",
        "Order #{order} hasn't arrived yet.",
        "Your order {order9} has shipped.",
        "Tracking number {tracking}.",
        "Total was {price} including tax.",
        "Logged at {timestamp}.",
        "Checksum of the download: {hash}.",
        "Request ID {uuid}",
        "Product code {product}.",
        "Ticket {ticket} reopened.",
        "Delivery scheduled for {other_date}.",
        "Firmware {firmware} update failed halfway.",
        "Fixed in commit {gitsha}.",
        "Invoice {invoice} dated {other_date}.",
        "Error code {errcode} when syncing.",
        "ISBN {isbn}",
        "The app shows {build} in the About box.",
        "Serial no. {serial}",
        "Account ref {order9}, customer since {year}.",
        "Epoch timestamp in the log: {epoch}.",
    ],
    "de": [
        "Version {version} unter Windows 11.",
        "Build {build} stürzt beim Start ab.",
        "Bestellung Nr. {order} ist noch nicht angekommen.",
        "Sendungsnummer {tracking}.",
        "Der Betrag war {price}.",
        "Protokolliert um {timestamp}.",
        "Vorgangs-ID {uuid}",
        "Artikelnummer {product}.",
        "Lieferung geplant für {other_date}.",
        "Firmware {firmware} hängt.",
        "Rechnung {invoice} vom {other_date}.",
        "Prüfsumme {hash}",
    ],
    "fr": [
        "Version {version} sous Windows 11.",
        "Le build {build} plante au démarrage.",
        "La commande n° {order} n'est pas arrivée.",
        "Numéro de suivi {tracking}.",
        "Le montant était de {price}.",
        "Enregistré à {timestamp}.",
        "Identifiant {uuid}",
        "Référence produit {product}.",
        "Livraison prévue le {other_date}.",
        "Facture {invoice} du {other_date}.",
        "Empreinte {hash}",
    ],
    "es": [
        "Versión {version} en Windows 11.",
        "La compilación {build} falla al arrancar.",
        "El pedido {order} no ha llegado.",
        "Número de seguimiento {tracking}.",
        "El importe fue {price}.",
        "Registrado a las {timestamp}.",
        "ID de solicitud {uuid}",
        "Código de producto {product}.",
        "Entrega prevista el {other_date}.",
        "Factura {invoice} del {other_date}.",
    ],
    "it": [
        "Versione {version} su Windows 11.",
        "La build {build} si blocca all'avvio.",
        "L'ordine n. {order} non è arrivato.",
        "Codice di tracciamento {tracking}.",
        "L'importo era {price}.",
        "Registrato alle {timestamp}.",
        "ID richiesta {uuid}",
        "Codice articolo {product}.",
        "Consegna prevista il {other_date}.",
        "Fattura {invoice} del {other_date}.",
    ],
    "nl": [
        "Versie {version} op Windows 11.",
        "Build {build} crasht bij het opstarten.",
        "Bestelling {order} is nog niet binnen.",
        "Track-and-trace {tracking}.",
        "Het bedrag was {price}.",
        "Gelogd om {timestamp}.",
        "Verzoek-ID {uuid}",
        "Artikelcode {product}.",
        "Levering gepland op {other_date}.",
        "Factuur {invoice} van {other_date}.",
    ],
    "pt": [
        "Versão {version} no Windows 11.",
        "O build {build} trava ao iniciar.",
        "O pedido {order} ainda não chegou.",
        "Código de rastreio {tracking}.",
        "O valor foi {price}.",
        "Registrado às {timestamp}.",
        "ID da solicitação {uuid}",
        "Código do produto {product}.",
        "Entrega prevista para {other_date}.",
        "Nota fiscal {invoice} de {other_date}.",
    ],
    "pl": [
        "Wersja {version} na Windows 11.",
        "Build {build} zawiesza się przy starcie.",
        "Zamówienie nr {order} jeszcze nie dotarło.",
        "Numer przesyłki {tracking}.",
        "Kwota wyniosła {price}.",
        "Zalogowano o {timestamp}.",
        "ID zgłoszenia {uuid}",
        "Kod produktu {product}.",
        "Dostawa planowana na {other_date}.",
        "Faktura {invoice} z {other_date}.",
    ],
}

OPENERS: dict[str, list[str]] = {
    "en": [
        "Hi, this is {name}.",
        "Hello team,",
        "Customer {name} reports a billing problem.",
        "Follow-up on the previous ticket.",
        "My parcel never arrived.",
        "I can't log in since yesterday.",
        "Shipping address: {address}.",
        "Agent note: customer is upset about the delay.",
        "Thanks for the quick reply!",
        "The app keeps logging me out.",
    ],
    "de": [
        "Hallo, hier ist {name}.",
        "Guten Tag,",
        "Kunde {name} meldet ein Problem mit der Rechnung.",
        "Mein Paket ist nie angekommen.",
        "Lieferadresse: {address}.",
        "Ich kann mich seit gestern nicht anmelden.",
    ],
    "fr": [
        "Bonjour, ici {name}.",
        "Bonjour,",
        "Le client {name} signale un problème de facturation.",
        "Mon colis n'est jamais arrivé.",
        "Adresse de livraison : {address}.",
        "Je n'arrive plus à me connecter.",
    ],
    "es": [
        "Hola, soy {name}.",
        "Buenos días,",
        "El cliente {name} reporta un problema de facturación.",
        "Mi paquete nunca llegó.",
        "Dirección de envío: {address}.",
        "No puedo iniciar sesión desde ayer.",
    ],
    "it": [
        "Salve, sono {name}.",
        "Buongiorno,",
        "Il cliente {name} segnala un problema di fatturazione.",
        "Il mio pacco non è mai arrivato.",
        "Indirizzo di spedizione: {address}.",
        "Non riesco ad accedere da ieri.",
    ],
    "nl": [
        "Hoi, met {name}.",
        "Goedemiddag,",
        "Klant {name} meldt een probleem met de factuur.",
        "Mijn pakket is nooit aangekomen.",
        "Afleveradres: {address}.",
        "Ik kan sinds gisteren niet inloggen.",
    ],
    "pt": [
        "Olá, aqui é {name}.",
        "Bom dia,",
        "O cliente {name} relata um problema de cobrança.",
        "Minha encomenda nunca chegou.",
        "Endereço de entrega: {address}.",
        "Não consigo entrar desde ontem.",
    ],
    "pl": [
        "Dzień dobry, tu {name}.",
        "Witam,",
        "Klient {name} zgłasza problem z fakturą.",
        "Moja paczka nie dotarła.",
        "Adres dostawy: {address}.",
        "Od wczoraj nie mogę się zalogować.",
    ],
}

CHANNELS = ["ticket", "crm_note", "chat", "email"]
CHAT_PREFIX = {
    "en": ("Customer: ", " Agent: "),
    "de": ("Kunde: ", " Agent: "),
    "fr": ("Client : ", " Agent : "),
    "es": ("Cliente: ", " Agente: "),
    "it": ("Cliente: ", " Operatore: "),
    "nl": ("Klant: ", " Medewerker: "),
    "pt": ("Cliente: ", " Atendente: "),
    "pl": ("Klient: ", " Konsultant: "),
}
AGENT_REPLY = {
    "en": "Thanks, I've updated the record.",
    "de": "Danke, ich habe den Datensatz aktualisiert.",
    "fr": "Merci, j'ai mis à jour la fiche.",
    "es": "Gracias, he actualizado la ficha.",
    "it": "Grazie, ho aggiornato la scheda.",
    "nl": "Bedankt, ik heb het dossier bijgewerkt.",
    "pt": "Obrigado, atualizei o cadastro.",
    "pl": "Dziękuję, zaktualizowałem dane.",
}


class Values:
    """Generates each slot's surface form for one locale."""

    def __init__(self, locale: str, rng: random.Random, seed: int) -> None:
        self.locale = locale
        self.lang, self.cc, _ = LOCALES[locale]
        self.rng = rng
        self.fake = Faker(locale)
        self.fake.seed_instance(seed)

    # --- PII -------------------------------------------------------------------------------
    def email(self) -> str:
        f, r = self.fake, self.rng.random()
        if r < 0.4:
            return f.email()
        if r < 0.7:
            return f.free_email()
        user = re.sub(r"[^a-z.]", "", f"{f.first_name()}.{f.last_name()}".lower()) or "kunde"
        return f"{user}{self.rng.choice(['', str(self.rng.randint(1, 99))])}@{f.domain_name()}"

    def phone(self) -> str:
        for _ in range(50):
            raw = re.sub(r"\s*(x|ext\.?)\s*\d+$", "", self.fake.phone_number()).strip()
            if self._plausible(raw):
                return self._restyle(raw)
        raise RuntimeError(f"no plausible phone number from Faker for {self.locale}")

    def _national_digits(self, raw: str) -> str:
        digits = re.sub(r"\D", "", raw)
        if raw.startswith("+"):
            digits = digits[len(self.cc) :]
        elif self.cc == "1" and len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        return digits

    def _plausible(self, raw: str) -> bool:
        # Faker sometimes emits shapes no person writes ("(00937) 865797", "+49(0) 016613186");
        # keep numbers whose national part is well formed by the country's simple rules.
        if raw.startswith("00"):
            return False
        nat = self._national_digits(raw)
        if self.cc == "1":
            return len(nat) == 10 and nat[0] in "23456789" and nat[3] in "23456789"
        nat = nat.removeprefix("0")
        return 7 <= len(nat) <= 12 and not nat.startswith("0")

    def _restyle(self, raw: str) -> str:
        r = self.rng.random()
        nat = self._national_digits(raw)
        if self.cc == "1":
            a, b, c = nat[:3], nat[3:6], nat[6:]
            if r < 0.15:
                return f"1-{a}-{b}-{c}"
            if r < 0.25:
                return f"+1 {a} {b} {c}"
            if r < 0.32:
                return f"{a}{b}{c}"
            return raw
        if raw.startswith("+") and r < 0.3:
            return "00" + raw[1:]  # the dialling prefix people write in Europe
        if not raw.startswith("+") and raw.startswith("0") and r < 0.25:
            rest = raw[1:].lstrip(" (").replace(")", "")
            return f"+{self.cc} {rest}"
        return raw

    def credit_card(self) -> str:
        kind = self.rng.choice(["visa16", "visa16", "mastercard", "mastercard", "amex", "discover", "jcb16", "diners"])
        num = self.fake.credit_card_number(kind)
        sep = self.rng.choice([" ", " ", "-", ""])
        if len(num) == 15 and num[0] == "3":  # Amex prints 4-6-5
            return sep.join([num[:4], num[4:10], num[10:]])
        if len(num) == 14:  # Diners prints 4-6-4
            return sep.join([num[:4], num[4:10], num[10:]])
        return sep.join(num[i : i + 4] for i in range(0, len(num), 4))

    def expiry(self) -> str:
        return f"{self.rng.randint(1, 12):02d}/{self.rng.randint(25, 31)}"

    def iban(self) -> str:
        for _ in range(20):
            value = self.fake.iban()
            if _iban_ok(value):
                break
        else:
            raise RuntimeError(f"Faker gave no valid IBAN for {self.locale}")
        if self.rng.random() < 0.5:  # the printed form, groups of four
            return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def us_ssn(self) -> str:
        ssn = self.fake.ssn()  # only en_US rows carry one: the scanner claims US SSNs only
        r = self.rng.random()
        if r < 0.5:
            return ssn
        if r < 0.65:
            return ssn.replace("-", " ")
        return ssn.replace("-", "")

    def ipv4(self) -> str:
        return self.fake.ipv4_public()

    def ipv6(self) -> str:
        full = self.fake.ipv6()
        return str(ipaddress.IPv6Address(full)) if self.rng.random() < 0.4 else full

    def date_of_birth(self) -> str:
        d = self.fake.date_between(start_date=date(1934, 1, 1), end_date=date(2007, 12, 31))
        return format_date(d, self.lang, self.locale, self.rng)

    def name(self) -> str:
        return self.fake.name()

    def address(self) -> str:
        return self.fake.address().replace("\n", ", ")

    # --- hard negatives -------------------------------------------------------------------
    def version(self) -> str:
        r = self.rng
        return f"{r.randint(1, 24)}.{r.randint(0, 20)}.{r.randint(0, 40)}"

    def build(self) -> str:
        # dotted four-part build numbers, each part <= 255: they parse as IPv4 but are not
        r = self.rng
        core = f"{r.randint(1, 30)}.{r.randint(0, 12)}.{r.randint(0, 60)}.{r.randint(0, 250)}"
        return r.choice([core, f"{core}-beta", f"v{core}", f"{core}-rc{r.randint(1, 5)}", f"{core} (x64)"])

    def firmware(self) -> str:
        r = self.rng
        return f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(100, 9999)}"

    def order(self) -> str:
        r = self.rng
        return r.choice(
            [
                str(r.randint(10**7, 10**12)),
                f"A-{r.randint(100000, 999999)}",
                f"{r.randint(100, 999)}-{r.randint(1000000, 9999999)}-{r.randint(1000000, 9999999)}",
            ]
        )

    def order9(self) -> str:
        return str(self.rng.randint(10**8, 10**9 - 1))

    def tracking(self) -> str:
        r = self.rng
        alnum = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        kind = r.random()
        if kind < 0.3:
            return "1Z" + "".join(r.choice(alnum) for _ in range(16))
        if kind < 0.55:
            digits = "".join(str(r.randint(0, 9)) for _ in range(20))
            return "94" + " ".join(digits[i : i + 4] for i in range(0, 20, 4))
        if kind < 0.8:
            return (
                "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2))
                + str(r.randint(10**8, 10**9 - 1))
                + r.choice(["GB", "DE", "FR", "NL", "PL"])
            )
        return "JJD" + str(r.randint(10**17, 10**18 - 1))

    def price(self) -> str:
        r = self.rng
        amount = r.randint(100, 999999) / 100
        if self.lang == "en":
            return r.choice([f"${amount:,.2f}", f"£{amount:,.2f}", f"USD {amount:.2f}"])
        euro = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        if self.lang == "pl":
            return f"{euro.replace('.', ' ')} zł"
        if self.lang == "pt":
            return f"R$ {euro}"
        return r.choice([f"{euro} €", f"€ {euro}", f"EUR {euro}"])

    def timestamp(self) -> str:
        dt = self.fake.date_time_between(start_date=datetime(2023, 1, 1), end_date=datetime(2026, 5, 31))
        return self.rng.choice(
            [
                dt.strftime("%Y-%m-%d %H:%M:%S"),
                dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                dt.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                dt.strftime("%H:%M:%S.%f")[:-3],
            ]
        )

    def epoch(self) -> str:
        return str(self.rng.randint(1_500_000_000, 1_760_000_000))

    def hash(self) -> str:
        return self.rng.choice([self.fake.sha256(), self.fake.md5(), self.fake.sha1()])

    def gitsha(self) -> str:
        return self.fake.sha1()[: self.rng.choice([7, 10, 40])]

    def uuid(self) -> str:
        return self.fake.uuid4()

    def product(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.5:
            return ean13(r)
        if kind < 0.75:
            return f"SKU-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"
        return f"{r.randint(100, 999)}.{r.randint(100, 999)}.{r.randint(10, 99)}"

    def isbn(self) -> str:
        body = "978" + "".join(str(self.rng.randint(0, 9)) for _ in range(9))
        digits = [int(c) for c in body]
        check = (10 - sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10) % 10
        full = body + str(check)
        return f"{full[:3]}-{full[3]}-{full[4:6]}-{full[6:12]}-{full[12]}"

    def ticket(self) -> str:
        return self.rng.choice(
            [
                f"#{self.rng.randint(10000, 999999)}",
                f"CS-{self.rng.randint(2019, 2026)}-{self.rng.randint(1, 99999):05d}",
            ]
        )

    def invoice(self) -> str:
        return f"INV-{self.rng.randint(2019, 2026)}-{self.rng.randint(1, 999999):06d}"

    def errcode(self) -> str:
        return self.rng.choice([f"0x{self.rng.randint(0, 2**32 - 1):08X}", f"E{self.rng.randint(1000, 9999)}"])

    def serial(self) -> str:
        return "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(self.rng.randint(10, 14)))

    def other_date(self) -> str:
        d = TODAY + timedelta(days=self.rng.randint(-400, 60))
        return format_date(d, self.lang, self.locale, self.rng)

    def year(self) -> str:
        return str(self.rng.randint(2005, 2025))


def ean13(rng: random.Random) -> str:
    body = [rng.randint(0, 9) for _ in range(12)]
    check = (10 - sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(body)) % 10) % 10
    return "".join(map(str, body)) + str(check)


def _iban_ok(value: str) -> bool:
    s = value.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def format_date(d: date, lang: str, locale: str, rng: random.Random) -> str:
    month = MONTHS[lang][d.month - 1]
    forms: list[str]
    if lang == "en":
        short = month[:3]
        forms = [
            f"{d.day} {month} {d.year}",
            f"{month} {d.day}, {d.year}",
            f"{short} {d.day} {d.year}",
            f"{d.day}-{short}-{d.year}",
            d.isoformat(),
            f"{d.day} {short} {d.year}",
        ]
        forms.append(
            f"{d.month:02d}/{d.day:02d}/{d.year}"
            if locale in ("en_US", "en_CA")
            else f"{d.day:02d}/{d.month:02d}/{d.year}"
        )
    elif lang == "de":
        forms = [f"{d.day}. {month} {d.year}", f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}.{d.month}.{d.year}"]
    elif lang in ("es", "pt"):
        forms = [
            f"{d.day} de {month} de {d.year}",
            f"{d.day:02d}/{d.month:02d}/{d.year}",
            f"{d.day} {month[:3]}. {d.year}",
        ]
    elif lang == "nl":
        forms = [f"{d.day} {month} {d.year}", f"{d.day:02d}-{d.month:02d}-{d.year}"]
    elif lang == "pl":
        forms = [f"{d.day} {month} {d.year}", f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day} {month} {d.year} r."]
    else:  # fr, it
        forms = [
            f"{d.day} {month} {d.year}",
            f"{d.day:02d}/{d.month:02d}/{d.year}",
            f"{d.day:02d}.{d.month:02d}.{d.year}",
        ]
    return rng.choice(forms)


SLOT = re.compile(r"\{(\w+)\}")
ENTITY_SLOTS = set(GRADED) | {"name", "address"}


def fill(template: str, values: Values, base: int, out: list[tuple[str, str, int, int]]) -> str:
    """Fill a template's slots; record entity slots as (type, value, start, end) in the cell."""
    parts: list[str] = []
    pos = 0
    length = 0
    for m in SLOT.finditer(template):
        lit = template[pos : m.start()]
        parts.append(lit)
        length += len(lit)
        slot = m.group(1)
        value = getattr(values, slot)()
        if slot in ENTITY_SLOTS:
            kind = {"name": "person_name", "address": "street_address"}.get(slot, slot)
            out.append((kind, value, base + length, base + length + len(value)))
        parts.append(value)
        length += len(value)
        pos = m.end()
    parts.append(template[pos:])
    return "".join(parts)


def build_text(
    values: Values, lang: str, channel: str, rng: random.Random, entities: list[tuple[str, str, int, int]]
) -> str:
    pii_kinds = [k for k in PII_TEMPLATES[lang]]
    weights = [
        0.0
        if k == "us_ssn" and values.locale != "en_US"
        else {
            "email": 3,
            "phone": 4,
            "credit_card": 2,
            "iban": 2,
            "us_ssn": 6,
            "ipv4": 2,
            "ipv6": 1,
            "date_of_birth": 3,
        }[k]
        for k in pii_kinds
    ]
    n_pii = rng.choices([0, 1, 2, 3], weights=[25, 35, 25, 15])[0]
    n_neg = rng.choices([0, 1, 2], weights=[20, 50, 30])[0]
    sentences: list[str] = []
    for kind in rng.choices(pii_kinds, weights=weights, k=n_pii):
        sentences.append(rng.choice(PII_TEMPLATES[lang][kind]))
    sentences += rng.sample(NEGATIVE_TEMPLATES[lang], k=n_neg)
    rng.shuffle(sentences)
    sentences.insert(0, rng.choice(OPENERS[lang]))
    if channel == "chat":
        first, agent = CHAT_PREFIX[lang]
        sentences[0] = first + sentences[0]
        sentences.append(agent.strip() + " " + AGENT_REPLY[lang])
    text = ""
    for i, template in enumerate(sentences):
        if i:
            # a label line such as "DOB: 22 May 1970" has no full stop; people separate it anyway
            text += " " if text[-1] in ".!?:," else rng.choices([". ", ", ", "; "], weights=[60, 25, 15])[0]
        text += fill(template, values, len(text), entities)
    return text


def generate(dest: Path, records: int = 5000, seed: int = 1414) -> tuple[Path, Path]:
    rng = random.Random(seed)
    Faker.seed(seed)
    gens = {loc: Values(loc, random.Random(seed + i), seed + i) for i, loc in enumerate(LOCALES)}
    locales = list(LOCALES)
    weights = [LOCALES[loc][2] for loc in locales]
    dest.mkdir(parents=True, exist_ok=True)
    csv_path, truth_path = dest / "pii_corpus.csv", dest / "pii_truth.jsonl"
    with csv_path.open("w", newline="", encoding="utf-8") as fcsv, truth_path.open("w", encoding="utf-8") as ftruth:
        writer = csv.writer(fcsv)
        writer.writerow(["id", "channel", "locale", "created_at", "order_ref", "contact", "text"])
        for row in range(1, records + 1):
            locale = rng.choices(locales, weights=weights)[0]
            values = gens[locale]
            lang = LOCALES[locale][0]
            channel = rng.choice(CHANNELS)
            rec_id = f"R{row:05d}"
            created = values.fake.date_time_between(
                start_date=datetime(2024, 6, 1), end_date=datetime(2026, 5, 31)
            ).strftime("%Y-%m-%dT%H:%M:%SZ")
            order_ref = rng.choice([values.order9(), values.order(), values.invoice()])
            cells: dict[str, list[tuple[str, str, int, int]]] = {"contact": [], "text": []}
            contact = ""
            r = rng.random()
            if r < 0.35:
                contact = fill("{email}", values, 0, cells["contact"])
            elif r < 0.5:
                contact = fill("{phone}", values, 0, cells["contact"])
            text = build_text(values, lang, channel, rng, cells["text"])
            writer.writerow([rec_id, channel, locale, created, order_ref, contact, text])
            for column, ents in cells.items():
                cell = contact if column == "contact" else text
                for kind, value, start, end in ents:
                    assert cell[start:end] == value, (rec_id, column, kind)
                    ftruth.write(
                        json.dumps(
                            {
                                "id": rec_id,
                                "row": row,
                                "column": column,
                                "type": kind,
                                "value": value,
                                "start": start,
                                "end": end,
                                "graded": kind in GRADED,
                            },
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
    return csv_path, truth_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1414)
    args = parser.parse_args(argv)
    csv_path, truth_path = generate(args.dest, args.records, args.seed)
    print(f"wrote {csv_path} and {truth_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
