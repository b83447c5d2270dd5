/*
  Prompt-injection rules of the mlsecops guard (yara-python). Each rule has a `score` in (0, 1]:
  the guard combines the scores of the rules that match (1 - prod(1 - score)) with its heuristics.
  Text is normalised before matching: NFKC, zero-width characters removed, whitespace collapsed,
  and decoded payloads (base64, hex, rot13, unicode tags) are matched too.
*/

rule instruction_override
{
    meta:
        category = "override"
        score = "0.9"
        description = "An instruction to ignore, forget or replace the assistant's instructions"
    strings:
        $verb_object = /\b(ignore|ignoring|disregard|forget|override|bypass|skip|abandon|erase|drop|stop following|do not follow|don't follow)\b[\w\s,'-]{0,40}\b(instructions?|directions|directives?|rules|guidelines|system prompt|system message|programming|safety training|content polic(y|ies)|context|constraints|restrictions)\b/ nocase
        $cancelled = /\b(previous|prior|earlier|above|original|old|system) (instructions|rules|directives)( above)? (are|is) (now )?(cancell?ed|void|outdated|obsolete|lifted|no longer valid)/ nocase
        $no_longer = /\byour (rules|instructions|guidelines|restrictions) (no longer apply|are (lifted|disabled|suspended))/ nocase
        $supersede = /\bnew (instructions?|rules|policy|task)\b.{0,40}\b(supersedes?|overrides?|replaces?|takes? precedence)/ nocase
        $new_task = /\byour (only|new|real) (goal|task|purpose|job|instruction) (now )?is\b/ nocase
        $from_now = /\bfrom now on,? (you )?(ignore|disregard|answer|respond|reply)\b.{0,40}\b(any|all|every|without)\b/ nocase
        $preceding = /\b(ignore|disregard|forget)\s+(all\s+)?(of\s+)?(the\s+|your\s+)?(preceding|previous|prior|above|earlier)\s+(text|content|messages|conversation|context|input|prompt)\b/ nocase
        $told_you = /\b(ignore|disregard|forget) (what|everything|anything) (the developers?|your (creators?|developers?)|they|you were|openai)\b.{0,12}\b(told|said|taught|programmed|instructed)\b/ nocase
        $outdated = /\b(instructions|rules)( above| before this)? (are|is) (now )?(outdated|obsolete|void|cancell?ed|no longer valid)\b/ nocase
        $foreign = /\b(ignora (todas )?las instrucciones|ignoriere (alle )?(vorherigen )?anweisungen|ignore[sz]? (tes|vos|les) instructions)/ nocase
    condition:
        any of them
}

rule roleplay_jailbreak
{
    meta:
        category = "jailbreak"
        score = "0.9"
        description = "Role-play or mode switches that remove the assistant's restrictions"
    strings:
        $dan = /\b(you are|act as|become|you're) (now )?(a |an )?(DAN|STAN|AIM|DUDE|Omega|EvilBot|FreeGPT|Jailbreak)\b/
        $do_anything = /\bdo anything now\b/ nocase
        $dev_mode = /\b(enable|activate|switch to|enter|enabled|activated|you are in|now in|operating in)\b.{0,12}\b(developer|dev|god|jailbreak|unrestricted|admin|maintenance|opposite) mode\b/ nocase
        $dev_mode2 = /\b(developer|god|jailbreak|unrestricted|admin) mode (enabled|activated|on)\b/ nocase
        $no_rules = /\b(no|without( any)?|free from( all)?|freed from( all)?|zero) (content )?(restrictions|limitations|limits|filters|rules|ethical guidelines|moral guidelines|ethical or moral guidelines|safety (rules|policies|guidelines|training)|content polic(y|ies))\b/ nocase
        $no_rules2 = /\b(guidelines|rules|restrictions|filters|safety training) (were|was|have been|are) (deleted|removed|disabled|lifted)\b/ nocase
        $uncensored = /\b(unfiltered|uncensored|jailbroken|unrestricted|unlimited)\b.{0,30}\b(ai|model|assistant|version|one|mode|personality)\b/ nocase
        $character = /\b(stay in character|never break character|opposite mode)\b/ nocase
        $authority = /\b(i am your (developer|creator|admin)|safety filters are disabled|you have been granted root|i authori[sz]e you to ignore)\b/ nocase
        $evil_persona = /\b(pretend|imagine|roleplay|role-play|play the role|act)\b.{0,40}\b(never trained with safety|evil|malicious|bypass(es)? every filter|reads? out all stored passwords)\b/ nocase
        $leak_prompt = /\b(leak|reveal|expose) the (system )?prompt\b/ nocase
        $refuse = /\b(never refuses?|without (any )?(warnings or )?refus(al|als|ing)|does not follow any rules|never refuse)\b/ nocase
    condition:
        any of them
}

rule system_prompt_extraction
{
    meta:
        category = "extraction"
        score = "0.85"
        description = "Attempts to make the assistant reveal its system prompt or hidden instructions"
    strings:
        $ask = /\b(what is|what are|what were|what does|reveal|show|print|repeat|output|display|tell me|give me|dump|write out|copy|spell out|quote|summari[sz]e|translate|list)\b.{0,30}\b(your|the) (system (prompt|message|section)|initial(ization)? (instructions|text|prompt)|hidden (instructions|prompt|text)|original instructions|pre-?prompt|developer message|confidential instructions|full instructions|raw instructions|instructions verbatim|prompt template|exact words|first message)\b/ nocase
        $ask_yours = /\b(what (are|were)|reveal|show|print|repeat|output|display|tell me|give me|dump|write out|copy|spell out|quote|summari[sz]e|translate|list)\b.{0,20}\byour (instructions|rules|prompt)\b/ nocase
        $above = /\b(repeat|output|print|copy)\b.{0,20}\b(the )?(text|words|everything|all of the words)\b.{0,10}\b(above|before this)\b/ nocase
        $verbatim = /\b(instructions|prompt|rules)\b.{0,40}\b(verbatim|word for word|letter by letter|exactly as (they were|it was) written)\b/ nocase
        $begin_with = /\b(begin|start) your (reply|answer|response) with (your|the) (full |complete |entire )?(instructions|system prompt|prompt)\b/ nocase
        $secret = /\b(secret word|password) (or password )?(were you|you were) (told|instructed|asked)/ nocase
        $context = /\b(content of your context window|everything before this message|instructions you were given|instructions you received|rules you must follow|instructions back to me|into your answer)\b/ nocase
    condition:
        any of them
}

rule markdown_exfiltration
{
    meta:
        category = "exfiltration"
        score = "0.9"
        description = "Markdown images or links that carry conversation data to an outside URL"
    strings:
        $img_template = /!\[[^\]]{0,60}\]\(https?:\/\/[^)\s]{1,200}[?&][\w-]{1,30}=[^)\s]{0,80}(\{|\$|%7B|SECRET|KEY|SUMMARY|PROMPT)/ nocase
        $img_empty = /!\[[^\]]{0,60}\]\(https?:\/\/[^)\s]{1,200}[?&][\w-]{1,30}=\)/ nocase
        $html_img = /<img[^>]{0,80}src=["']?https?:\/\/[^"'>\s]{1,200}[?&][\w-]{1,30}=[^"'>\s]{0,40}(\{|\$)/ nocase
        $append = /\b(append|add|embed|include|encode|put|send)\b.{0,60}\b(chat history|conversation|previous messages|user'?s? (data|email|password|address|session token)|customer'?s? address|api key|system prompt|instructions|contents of your)\b.{0,60}\b(url|link|image|https?:\/\/)/ nocase
        $img_then_data = /\bmarkdown image\b.{0,60}https?:\/\/\S+[?&][\w-]{1,30}=.{0,40}\b(append|add|include)\b/ nocase
        $link_with = /\b(image|link|url)\b.{0,40}\b(contains?|with|including)\b.{0,30}\b(password|token|api key|chat history)\b/ nocase
        $exfil = /\bexfiltrat\w*/ nocase
        $visit_with = /\bvisit https?:\/\/\S+ with the contents\b/ nocase
    condition:
        any of them
}

rule indirect_injection
{
    meta:
        category = "indirect"
        score = "0.85"
        description = "Text in documents or data that addresses an AI reading it"
    strings:
        $note_to = /\b(note|message|instructions?|attention|hidden text|important message)( for| to)? (the |any |all )?(ai|llm|llms|language models?|chatbot|assistant|ai assistants?|automated assistants?|ai agents?)\b[^:.\n]{0,40}[:,]/ nocase
        $if_ai = /\bif you('re| are) an? (ai|llm|language model|ai language model|assistant)\b/ nocase
        $as_ai = /\b(as an ai|any ai|ai agents?|dear ai|assistant,)[\s\w,]{0,40}\b(reading|processing|retrieves|that reads|you must|must|should|when you)\b/ nocase
        $when_ai = /\bwhen (an? )?(ai|llm|language model|ai model)\b.{0,30}\b(reads|retrieves|summari[sz]es|processes)\b/ nocase
        $html_comment = /<!--\s*(ai|llm|assistant|system)\s*:/ nocase
        $system_link = /\[system\]\(#\w+\)/ nocase
        $role_json = /"role"\s*:\s*"system"\s*,\s*"content"/ nocase
        $tags = /<(instructions|system_override|system)>[^<]{0,200}<\/(instructions|system_override|system)>/ nocase
        $tool_call = /\b(call|use|invoke) the \w+ tool\b/ nocase
        $for_ai_only = /\bfor (ai assistants|llms|language models) only\b/ nocase
    condition:
        any of them
}

rule delimiter_injection
{
    meta:
        category = "delimiter"
        score = "0.8"
        description = "Fake chat-template tokens, role markers or system banners"
    strings:
        $chatml = "<|im_start|>" nocase
        $inst = /\[INST\].{0,300}\[\/INST\]/ nocase
        $sys = "<<SYS>>"
        $banner = /(###|===|---|\[)\s*(system|admin mode|new system prompt|system notice|system instruction)\b.{0,5}(:|===|---|\])\s*.{0,20}\b(you|all|print|respond|grant|policy|disable|maintenance|new)/ nocase
        $override_word = /(\bsystem override|\bbegin system|\bend of (user input|ticket|context|document)|<<end_of_context>>|\buser query finished)\b/ nocase
        $upper_system = /\bSYSTEM( INSTRUCTIONS?| NOTICE| MESSAGE)?:\s*(grant|respond|reveal|ignore|you|print|disable|new|output|delete)/
        $fake_turn = /\bHuman:.{0,60}\bAssistant:\s*Sure/ nocase
        $closing = /<\/user>\s*<system>/ nocase
        $as_system = /\bas the system,? i instruct you\b/ nocase
        $code_system = /```system/ nocase
    condition:
        any of them
}
