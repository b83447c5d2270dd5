# ruff: noqa: E501, RUF001 - one alternation per language reads best
"""Does a text talk *to the model about the model*? The cue that separates an injection from a mention.

The n-gram model learns the vocabulary of attacks, so it also fires on benign text about the same
topics: a prompt-engineering question, security-awareness material, a procedure that says "ignore
the warning light", a role-play game, code with `ignore`. What an injection has and those lack is
an address to the assistant about its own instructions, rules, prompt, persona or tools ("your
rules", "you are now an AI without filters", "agent: call send_email"), or a channel out of the
chat (an image URL with a query, a fake system delimiter). `addressed(text)` finds such a cue in
the languages the guard's training text covers; the guard trusts the model from a low cut only with
one. It is a cue, not a verdict: "your return rules" also matches, and the model still has to agree.

`about_instructions(text)` is the weaker cue: the text speaks of instructions, rules, a system or
prompt, an AI/assistant/bot, its developers, policy or persona, "everything above", or carries a
markdown link or image. An injection has to talk about the model's instructions or the model to
redirect it; a support ticket ("quick question: i never received the password reset email thank
you!") does neither, so without this cue the model alone never decides (guard.NO_CUE_CAP).
"""

from __future__ import annotations

import re

_RULE_WORDS = (
    r"instructions?|directions|directives?|rules|guidelines|(system )?prompt|configuration|setup|programming|"
    r"restrictions|filters|polic(y|ies)|constraints|creators?|developers?|operators?|guardrails|limits|persona|"
    r"configured|programmed|told|instructed"
)
_CUES = [
    # English: the assistant's own rules, prompt, makers
    rf"\b(your|you were|you've been|you have been|you are no longer)\b.{{0,40}}\b({_RULE_WORDS})\b",
    r"\b(instructions|directions|directives|rules|guidelines|prompt|restrictions)\b.{0,20}\b(you were|you've been|you have been|given to you|they gave you)\b",
    r"\b(previous|prior|earlier|above|original|initial|hidden|secret)\s+(instructions|directions|directives|rules|guidelines|prompt|setup text|configuration)\b",
    r"\b(if you are|to|for|dear|hey|note to|attention)\s+(the |any |an? )?(ai|assistant|agent|language model|llm|chatbot|bot|copilot|summari[sz]er)\b",
    r"(^|[\s(\[<])(ai|assistant|agent|copilot|model|bot)\s*[:,]",
    # the same note to the assistant in the corpus' other Latin-script languages
    r"\b(an|für) (die|den|das) (ki|assistenten|sprachmodell|bot)\b|\b(pour|à) l'(ia|assistant)\b|\b(para|a) (la|el|a|o) (ia|asistente|assistente)\b|\b(per|all') ?(l'ia|assistente)\b",
    r"\b(ai|model|assistant|gpt|bot|persona|character)\b.{0,40}\b(no|without|free of|broke free of|never given)\b.{0,20}\b(rules|restrictions|filters|guidelines|censorship|limits|content policy|warnings|policy)\b",
    r"\b(never refuses?|always answers|stay in (character|role)|no disclaimers|without (any )?warnings|usual rules are suspended|rules (don't|do not) exist|anything goes)\b",
    # tools and agents
    r"\b(call|invoke|use|run|execute)\b.{0,30}\b(tool|function|script|command|shell)\b|\b(send|delete|transfer|run|export|create|update|grant)_[a-z]+\b",
    r"\bcurl\b[^|\n]{0,80}\|\s*(ba|z)?sh\b",
    r"\b(forward|send|transfer|upload|post|submit|paste)\b.{0,80}(\b[\w.+-]+@[\w-]+\.\w+|https?://)",
    # exfiltration: an image or link whose URL carries data
    r"!\[[^\]]*\]\([^)\s]*\?[^)\s]*=|<img\b[^>]*\bsrc\s*=\s*['\"]?[^'\">\s]*\?|https?://\S*\?\S*=\s*(\)|$|\W)",
    # fake delimiters
    r"<\|im_(start|end)\|>|</?(system|user|assistant)>|\[/?inst\]|<(start|end)_of_turn>|#{2,}\s*(new\s+)?system|end of (user (input|message)|document)|=== ?system",
    # German
    r"\b(deine?[nrs]?|dir|dich|du)\b.{0,40}\b(anweisungen|regeln|vorgaben|richtlinien|systemprompt|einschränkungen|entwickler|filter|zensur|konfiguriert)",
    r"\b(ki|bot)\b.{0,20}\b(ohne|keine)\b.{0,20}\b(regeln|richtlinien|zensur|filter)|lehnt nie ab",
    # French
    r"\b(tes|ton|ta|tu|t'|te)\b.{0,40}\b(consignes|règles|instructions|directives|prompt|restrictions|filtres|créateurs|développeurs|censure|opérateur)",
    r"\b(consignes|règles|instructions|directives)\b.{0,20}\b(t'|te|tes)\b|\bia\b.{0,30}\b(sans|libérée|rebelle)\b|\bsans (aucune )?(limite|censure|restriction)",
    # Spanish
    r"\b(tus|tu|te)\b.{0,40}\b(instrucciones|reglas|normas|directrices|prompt|restricciones|filtros|desarrolladores|configuración|censura)",
    r"\bia\b.{0,20}\b(sin|libre de)\b|\bsin (censura|reglas|límites|restricciones)|nunca te niegas|herramienta",
    # Portuguese
    r"\b(suas|seu|sua|seus|você|te)\b.{0,40}\b(instruções|regras|orientações|diretrizes|prompt|restrições|filtros|desenvolvedor(es)?|configuração|configurou|censura|diretivas)",
    r"\b(instruções|orientações|regras|diretrizes) anteriores|\bia\b.{0,20}\bsem\b|\bsem (censura|regras|filtros|restrições)|nunca recusa|ferramenta",
    # Italian
    r"\b(tue|tuoi|ti|tua|tuo)\b.{0,40}\b(regole|istruzioni|indicazioni|direttive|prompt|restrizioni|filtri|sviluppatori|censura)",
    r"\bsenza (filtri|regole|censura|limiti)|\b(indicazioni|istruzioni|regole) ricevute",
    # Dutch, Polish, Turkish, Vietnamese, Indonesian
    r"\b(je|jouw|jij)\b.{0,40}\b(regels|instructies|richtlijnen|ontwikkelaars|prompt|beperkingen|filters)",
    r"\b(twoje|twoich|ci|tobie|twój|twoja)\b.{0,40}\b(zasady|reguły|polecenia|instrukcje|prompt|ograniczenia|filtry|twórcy)|\bmoje polecenia",
    r"\b(kuralların|talimatların|senin)\b|\b(chỉ dẫn|quy tắc)\b.{0,60}\bbạn\b|\bbạn\b.{0,40}\b(chỉ dẫn|quy tắc|hướng dẫn|lệnh|nhà phát triển)|\baturanmu\b",
    # Russian, Ukrainian
    r"(твои|твоих|тебе|тебя|ты|твой|твоя|вам|ваши|тобі|твої)\b.{0,40}(правил|инструкци|настройк|ограничени|фильтр|разработчик|промпт|цензур|команд)",
    r"\bии\b.{0,20}\bбез\b|\bбез (цензуры|правил|фильтров|ограничений)|никогда не отказывает",
    # Chinese, Japanese, Korean
    r"(你|您).{0,20}(规则|指令|设定|设置|提示词|限制|约束|过滤|审查|开发者|命令|要求|身份)|(隐藏|原始|系统)(设定|配置|提示词)|(没有|无|不受).{0,6}(限制|规则|审查|约束|过滤)|从不拒绝|无视|(给|对).{0,8}(ai|助手|代理|模型)|(工具|代理)",
    r"(あなた|君|お前).{0,20}(ルール|指示|設定|制限|プロンプト|命令|開発者)|(開発者|最初に与えられた|隠し設定|制限のない|検閲のない|決して断りません|エージェント|ツール)",
    r"(너|당신|네)\S{0,3}.{0,20}(규칙|지시|지침|설정|제한|프롬프트|명령)|받은 지침|절대 거절|규칙이 없는",
    # Arabic, Hindi
    r"(قواعدك|تعليماتك|أوامري)|(तुम्हारे नियम|मेरे आदेश)",
]
# matched against lower-cased text: cheaper than IGNORECASE over thirty alternations
_ADDRESSED = re.compile("|".join(f"(?:{cue})" for cue in _CUES), re.DOTALL)

# Instruction, rule, system, prompt and assistant vocabulary per language (word starts in Latin,
# Cyrillic and Greek script; plain substrings in the others), plus structure an attack uses.
_TOPIC = [
    r"\b(instruct|directions?\b|directives?|rules?\b|guidelines?|prompt|system|polic(y|ies)|developers?|creators?|"
    r"filters?\b|restrict|configur|programm|jailbr|personas?\b|character|ai\b|a\.i\.|artificial intelligence|assistant|"
    r"model\b|llm|gpt|chatbot|bot\b|agent\b|api[ _-]?keys?|answers?\b|respon[ds]|obey|commands?\b|orders from|mode\b|"
    r"role[- ]?play|pretend|from now on|above\b|earlier text|confidential|secret|oben\b|darüber|ci-dessus|au-dessus|arriba|acima|sopra\b|boven\b)",
    r"\b(anweisung|regel|richtlinie|vorgabe|ki\b|assistent|entwickler|befehl|consigne|règle|directive|"
    r"système|ia\b|développeu|ordre|instrucci|norma|reglas?\b|directri|sistema|asistente|desarrollador|órdenes|obedec|"
    r"istruzion|regol|indicazion|direttiv|sviluppator|instruç|regras?\b|orientaç|diretriz|desenvolvedor|ordens|"
    r"instructie|richtlijn|systeem|ontwikkelaar|opdracht|instrukc|zasad|regu[lł]|polece|asystent|twórc|pokyn|pravidl|"
    r"systém|vývojář|instruktion|regler|utvecklare|talimat|kural|sistem|yapay zeka|asistan|geliştirici|komut|"
    r"hướng dẫn|chỉ dẫn|quy tắc|hệ thống|trợ lý|lệnh|nhà phát triển|instruksi|aturan|asisten|perintah|pengembang)",
    r"\b(инструкц|правил|систем|ии\b|ассистент|разработчик|промпт|команд|приказ|інструкц|ші\b|асистент|розробник|"
    r"οδηγί|κανόν|σύστημα|βοηθ|εντολ|προγραμματιστ)",
    r"تعليمات|قواعد|النظام|المساعد|الذكاء الاصطناعي|أوامر|دستور|قوانین|سیستم|دستیار|هوش مصنوعی|הוראות|כללים|מערכת|"
    r"עוזר|בינה מלאכותית|निर्देश|नियम|सिस्टम|सहायक|आदेश|指示|ルール|規則|システム|アシスタント|設定|命令|プロンプト|開発者|"
    r"指令|规则|系统|助手|设定|提示词|开发者|说明|지시|규칙|시스템|어시스턴트|설정|명령|프롬프트|개발자",
    r"\]\(\s*https?://|<img\b|<\|",
]
_ABOUT = re.compile("|".join(f"(?:{cue})" for cue in _TOPIC))


def addressed(text: str) -> bool:
    """True when the text speaks to the assistant about its own instructions, persona or tools."""
    return _ADDRESSED.search(text.lower()) is not None


def about_instructions(text: str) -> bool:
    """True when the text speaks of instructions, a system, a prompt or an assistant at all (or addresses one)."""
    lowered = text.lower()
    return _ABOUT.search(lowered) is not None or _ADDRESSED.search(lowered) is not None
