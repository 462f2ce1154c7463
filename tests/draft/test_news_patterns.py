"""Attribution patterns of news copy (issue 19): each text is written for the test, in the shapes real
articles of the gold set take; the speaker and the body spoken for are checked."""

from __future__ import annotations

import pytest

from detente.draft import draft_text


def _who(draft, start):
    statement = next((s for s in draft.statements if s.text.startswith(start) or s.sentence.text.startswith(start)), None)
    if statement is None:
        return (None, ())
    speaker = statement.speaker
    return (speaker.key if speaker else None, tuple(b.id for b in speaker.bodies) if speaker else ())


CASES = [
    # quote then "X said", the speaker introduced by the sentence before
    ("Egypt's irrigation minister, Hani Sewilam, met his counterparts on Sunday.\n\n"
     "“We will not accept unilateral filling,” Sewilam said.\n", "We will not accept", ("Hani Sewilam", ("EGY",))),
    # "Its chief negotiator, NAME, told reporters:"
    ("Norway rejected the proposal. Its chief negotiator, Kari Dahl, told reporters: “Binding limits are the minimum.”\n",
     "Binding limits", ("Kari Dahl", ("NOR",))),
    # an anonymous official of a named body, then "the official" in the next paragraph
    ("A senior Hamas official said the group had received the text.\n\n"
     "“We are studying it,” the official said.\n", "We are studying", ("a senior hamas official", ("Hamas",))),
    # "he" after a person named earlier in the same sentence, not the speaker of the paragraph before
    ("“The talks were useful,” Qatari Prime Minister Mohammed Al Thani said.\n\n"
     "German Chancellor Olaf Scholz said there was broad agreement, and he called for “a fair share of the burden.”\n",
     "a fair share", ("Olaf Scholz", ("DEU",))),
    # a quote over two paragraphs, the speaker named in the first
    ("The Minister said: “This was a useful meeting.\n\n“We will press for a higher quota.”\n"
     "Fisheries Minister Pat Byrne of Ireland chaired it.\n", "This was a useful", (None, ())),
    # a national office with no state written takes the state the article names
    ("The United States and China resumed talks in Geneva.\n\n"
     "“We made substantial progress,” Treasury Secretary Scott Bessent told reporters.\n", "We made substantial", ("Scott Bessent", ("USA",))),
    # subject across a relative clause that names someone else
    ("U.S. Trade Representative Jamieson Greer, who met Chinese Vice Premier He Lifeng, said a deal was close.\n",
     "U.S. Trade Representative", ("Jamieson Greer", ("USA",))),
    # an organisation the lexicon does not know, spelled out with its acronym, and its leader
    ("The Killybegs Fishermen’s Organisation (KFO) rejected the deal. KFO Chief Executive, Sean Doyle commented: “It is futile.”\n",
     "It is futile", ("Sean Doyle", ("KFO",))),
    # reported speech: the framing speaker, not the subject of what is reported
    ("A senior official said Putin had insisted on the territory.\n", "A senior official", ("a senior official", ())),
    ("Putin insists on keeping the territory, according to a Kremlin source.\n", "Putin insists", ("a kremlin source", ("RUS",))),
    ("Ukraine and Russia said they would meet again, a senior Turkish official said.\n", "Ukraine and Russia", ("a senior turkish official", ("TUR",))),
    # "..., said X" only when X ends the clause: in "said Israel would" Israel is what was said
    ("An Israeli official, speaking on condition of anonymity, said Israel would not agree.\n", "An Israeli official",
     ("an israeli official", ("ISR",))),
    # a long name with particles, and the same person later by the end of it
    ("Qatari Prime Minister Sheikh Mohammed bin Abdulrahman Al Thani said the talks were in their final stages.\n",
     "Qatari Prime Minister", ("Mohammed bin Abdulrahman Al Thani", ("QAT",))),
    ("Prime Minister Mohammed bin Abdulrahman Al Thani of Qatar met the delegations.\n\n“We are close,” Al Thani said.\n",
     "We are close", ("Mohammed bin Abdulrahman Al Thani", ("QAT",))),
    # a person's office speaks for the person's body; "according to his office" reports what he did
    ("Israel and Hamas traded blame. Netanyahu’s office said the delegation would travel to Cairo.\n", "Netanyahu’s office",
     ("netanyahu’s office", ("ISR",))),
    ("President Emmanuel Macron told Ursula von der Leyen that France opposes the deal, according to his office.\n",
     "President Emmanuel Macron", ("Emmanuel Macron", ("FRA",))),
    # "the group" / "the union": the organisation named last, not one named inside a quote
    ("The Hostages and Missing Families Forum urged Netanyahu to act.\n\n"
     "“A deal to bring back the hostages held by Hamas is possible,” the group said in a statement.\n", "A deal to bring",
     ("Hostages and Missing Families Forum", ("Hostages and Missing Families Forum",))),
    ("The International Longshoremen’s Association rejected the offer. The union said it would strike on Tuesday.\n", "The union said",
     ("International Longshoremen’s Association", ("International Longshoremen’s Association",))),
    ("Hamas rejected the plan. The group said it would not disarm.\n", "The group said", ("Hamas", ("Hamas",))),
    # "he" with no one speaking nearby: the person the sentence before introduced
    ("Egypt’s foreign minister, Sameh Shoukry, met his counterpart in Cairo.\n\n“The talks have failed,” he said.\n",
     "The talks have failed", ("Sameh Shoukry", ("EGY",))),
    # ... and nobody when the last speaker is paragraphs away and no one is named nearby
    ("“We are ready,” Ethiopian Prime Minister Abiy Ahmed said.\n\nThe dam holds 74 billion cubic metres.\n\n"
     "Rains were late this year.\n\n“We will fill it,” he said.\n", "We will fill", (None, ())),
    # "<state>’s <words> ministry/government said": the state's institution
    ("China’s commerce ministry said in a statement that it firmly opposed the tariffs.\n", "China’s commerce",
     ("china’s commerce ministry", ("CHN",))),
    ("Sudan’s army-aligned government said it would not take part in the talks.\n", "Sudan’s army",
     ("sudan’s army-aligned government", ("SDN",))),
    # "the official, NAME," names the official introduced before, who keeps their body
    ("A Hamas official said talks went on.\n\nBoth sides would free women and children, the official, Issat el Reshiq, told Al-Jazeera.\n",
     "Both sides would", ("Issat el Reshiq", ("Hamas",))),
    # wire datelines: "(Reuters) -Hamas said", "YEREVAN, December 13. /TASS/." opening the first sentence
    ("WEST BANK/GAZA/DOHA (Reuters) -Hamas said on Tuesday it had received a new proposal.\n", "WEST BANK",
     ("Hamas", ("Hamas",))),
    ("YEREVAN, December 13. /TASS/. Armenia’s government hopes talks resume soon, Armenian Foreign Minister Ararat Mirzoyan said.\n",
     "YEREVAN, December 13.", ("Ararat Mirzoyan", ("ARM",))),
    # "<owner>’s <words> <title>, NAME," speaks for the owner's body
    ("The United States and China ended two days of talks. Trump said they went well.\n\n"
     "Trump’s chief trade negotiator, Robert Lighthizer, struck a guarded note, saying no framework had been agreed.\n",
     "Trump’s chief trade", ("Robert Lighthizer", ("USA",))),
    # "it said": the body that spoke last nearby, or that opens the sentence before; a report is nobody
    ("Hamas said it had received the proposal. It said it would respond within days.\n", "It said it would", ("Hamas", ("Hamas",))),
    ("The Royal College of Nursing rejected the offer. “It is an insult,” it said.\n", "It is an insult",
     ("Royal College of Nursing", ("Royal College of Nursing",))),
    # a surname alone with its title in apposition is the person, not the title
    ("Frost, the UK’s chief negotiator, said in a tweet that talks would continue.\n", "Frost, the UK", ("Frost", ("GBR",))),
    # "the bloc’s chief negotiator, NAME," speaks for the organisation named before
    ("The EU rejected the offer. The bloc’s chief negotiator, Michel Barnier, said fish remained the hardest issue.\n",
     "The bloc’s", ("Michel Barnier", ("EU",))),
    # "NAME, speaking in CITY, said": a person, and "speaking" is no title ("king" inside it is not a king)
    ("Guterres, speaking in Baku, said the deal was “a base on which to build”.\n", "a base on which", ("Guterres", ())),
    # a description with a body points back to the person of that body with that title
    ("Ethiopian Prime Minister Abiy Ahmed met the delegations on Monday. The Ethiopian leader said the dam posed no threat.\n",
     "The Ethiopian leader", ("Abiy Ahmed", ("ETH",))),
    # "the ministry" is the ministry that spoke just before
    ("“We will not accept any deal that ignores our rights,” Egypt’s foreign ministry said.\n\nThe ministry added that talks had failed.\n",
     "The ministry added", ("egypt’s foreign ministry", ("EGY",))),
    # an acronym in brackets between the subject and the verb
    ("The New Zealand Nurses' Organisation (NZNO) announced today that its members voted to reject the offer.\n", "The New Zealand",
     ("NZNO", ("NZNO",))),
    # a parenthetical "diplomats suggest" in the base form of the verb
    ("The €30bn mark, diplomats suggest, is the real point of convergence.\n", "The €30bn mark", ("diplomats", ())),
    # a seat of government office standing for its state
    ("The USTR said the United States will keep its tariffs on Chinese goods.\n", "The USTR", ("USA", ("USA",))),
    # a joint subject of a person and others is no one speaker's; of two states, either
    ("Earlier Friday, Trump and Chinese officials announced that the two sides had agreed.\n", "Earlier Friday", (None, ())),
    ("Iceland and the Faroe Islands argue that the mackerel has moved north.\n", "Iceland and", ("FRO", ("FRO",))),
    # "his top trade advisor" is written in full, with the body of the man named before
    ("The two sides hope to sign in January, two years after President Donald Trump of the United States launched his trade war, "
     "his top trade advisor said Friday.\n", "The two sides", ("his top trade advisor", ("USA",))),
    # a surname alone after "..., said"
    ("“We are close,” said Barnier.\n", "We are close", ("Barnier", ())),
    # "said a statement from X", "according to a statement from X"
    ("“The talks failed because Ethiopia refused to compromise,” said a statement from Egypt’s irrigation ministry.\n",
     "The talks failed", ("egypt’s irrigation ministry", ("EGY",))),
    ("Talks will resume next week, according to a statement from the Egyptian presidency.\n", "Talks will resume",
     ("the egyptian presidency", ("EGY",))),
    # an institution noun as a modifier stays part of the speaker
    ("“We will not negotiate while they occupy our homes,” an army spokesman said.\n", "We will not negotiate", ("an army spokesman", ())),
    # a bare quote goes on with the speaker of the sentence before, also when that sentence was reported speech
    ("Shawn Fain said: “We are going to win.” Ford chief executive Jim Farley said the company had made a fair offer. "
     "“This is a record offer.”\n", "This is a record offer", ("Jim Farley", ("Ford",))),
    # a firm named by a kind-of-business word is a body, not a person ("Network Rail", "British Airways")
    ("Network Rail said the latest pay offer was “conditional on achieving savings through reforms”.\n", "conditional on",
     ("Network Rail", ("Network Rail",))),
    # "X said:" closing a paragraph introduces the quote of the next
    ("In a statement, the union’s general secretary Pat Cullen said:\n\n“Nurses have had enough.”\n", "Nurses have had", ("Pat Cullen", ())),
    # "NAME, speaking at ... with <state>’s president," is no apposition naming NAME's body
    ("Egypt and Algeria met. Egypt hosted.\n\nSisi, speaking at a news conference with Algeria’s president, said the proposal stood.\n",
     "Sisi, speaking", ("Sisi", ("EGY",))),
    # "Sheikh Mohammed" after "Sheikh Mohammed bin Abdulrahman Al Thani"
    ("Qatari Prime Minister Sheikh Mohammed bin Abdulrahman Al Thani spoke in Doha.\n\nSheikh Mohammed said the deal would take effect on Sunday.\n",
     "Sheikh Mohammed said", ("Mohammed bin Abdulrahman Al Thani", ("QAT",))),
    # "<state>'s Prime Minister's Office said": the office, for the state
    ("Israel's Prime Minister's Office said in a statement that it had received the proposal.\n", "Israel's Prime",
     ("israel's prime minister's office", ("ISR",))),
    # "the union" is the last body that can be a union, not the employers' alliance named after it
    ("The International Longshoremen's Association and the United States Maritime Alliance reached a deal.\n\n"
     "The union had demanded 77 percent.\n", "The union had",
     ("International Longshoremen's Association", ("International Longshoremen's Association",))),
    # "a spokesman for NAME" speaks, for NAME's body; "his office" after it is NAME's office
    ("Britain and the EU resumed talks. A spokesman for Prime Minister Boris Johnson of Britain said the talks would continue.\n",
     "A spokesman for", ("a spokesman for prime minister boris johnson", ("GBR",))),
    # a quoted phrase reported "according to" people with no body is the words of the one who said them
    ("The EU's chief negotiator, Michel Barnier, told ambassadors that “significant divergences” remained, according to two diplomats.\n",
     "significant divergences", ("Michel Barnier", ("EU",))),
    # an apposition "<State>'s <title>" names the person's body
    ("“This is a joke,” said Juan Carlos Monterrey Gomez, Panama's climate envoy.\n", "This is a joke", ("Juan Carlos Monterrey Gomez", ("PAN",))),
    # "NAME’s spokesman said", like "NAME’s office said"
    ("Britain and the EU met again. Prime Minister Rishi Sunak's spokesman said there were no plans to reopen talks.\n", "Prime Minister Rishi",
     ("prime minister rishi sunak's spokesman", ("GBR",))),
    # "A spokesman, NAME, said Beijing ...": NAME speaks, Beijing is what was said
    ("A Chinese foreign ministry spokesman, Geng Shuang, said Beijing “will not accept” unilateral demands.\n", "will not accept",
     ("Geng Shuang", ("CHN",))),
    # "Its head of delegation, NAME," (a title with "of ..." before the comma)
    ("Norway rejected the offer. Its head of delegation, Kari Dahl, said: “This is not a basis for talks.”\n", "This is not a basis",
     ("Kari Dahl", ("NOR",))),
    # "he" after a person introduced since the last speaker spoke is that person
    ("“Egypt will not accept any unilateral measures,” Egyptian irrigation minister Hani Sewilam said.\n\n"
     "Sudan's delegation was led by its irrigation minister, Yasir Abbas. He told state media that Khartoum wanted data sharing.\n",
     "He told state media", ("Yasir Abbas", ("SDN",))),
    # "<State>'s Ministry of X and Y said": the state; "Energy" is no person
    ("Ethiopia's Ministry of Water and Energy said in a statement that the talks aimed to reach a fair outcome.\n", "Ethiopia's Ministry",
     ("ETH", ("ETH",))),
    # a long title with commas before the name: "Ireland's Minister for Agriculture, Food and the Marine, NAME,"
    ("Ireland's Minister for Agriculture, Food and the Marine, Charlie McConalogue, said the outcome was “the best possible.”\n",
     "the best possible", ("Charlie McConalogue", ("IRL",))),
    # a Commissioner is the EU's
    ("The European Commission had proposed a 30 percent cut. “Science must guide our decisions,” Fisheries Commissioner Virginijus Sinkevicius said.\n",
     "Science must", ("Virginijus Sinkevicius", ("EU",))),
    # an apposition, then an auxiliary, then the verb
    ("Germany, the largest net contributor, had signalled it could accept 1.07 percent.\n", "Germany, the largest", ("DEU", ("DEU",))),
    # the state of a dateline is where the story was filed: it does not make a surname its leader's
    ("DOHA, Qatar (AP) — Israel and Hamas have agreed to a ceasefire.\n\nQatar's prime minister announced it. "
     "Israel's Cabinet will vote on Thursday.\n\nNetanyahu's office said some details were still being finalized.\n",
     "Netanyahu's office", ("netanyahu's office", ("ISR",))),
    # "General Motors said" is the firm (no person named Motors); "Ford CEO NAME" speaks for Ford
    ("The union wants 40% raises. General Motors said it had offered 20%, calling the proposal “historic.”\n", "historic",
     ("General Motors", ("General Motors",))),
    ("Ford CEO Jim Farley said the union's demands would bankrupt the company.\n", "Ford CEO", ("Jim Farley", ("Ford",))),
    # "promised to" reports what the speaker said
    ("Britain and the EU are at odds. Prime Minister Boris Johnson has repeatedly promised to “take back control” of British waters.\n",
     "take back control", ("Boris Johnson", ("GBR",))),
    # "<body> political bureau member NAME"
    ("In an interview with Al Jazeera, Hamas political bureau member Basem Naim said the group would not disarm.\n", "In an interview",
     ("Basem Naim", ("Hamas",))),
    # two people speaking together ("Dr X and Dr Y, co-chairs of ..., said") are no one speaker
    ("Dr Vivek Trivedi and Dr Robert Laurenson, co-chairs of the committee, said they were “seeking a deal that restores pay.”\n",
     "seeking a deal", (None, ())),
    # a paragraph of quotes alone after a paragraph closed by one person's reported speech is theirs
    ("Britain and China met. Trade Secretary Liz Truss said the talks had been productive.\n\n“We made progress on the hardest issues.”\n",
     "We made progress", ("Liz Truss", ("GBR",))),
    # the state an article names most is counted in the reporter's words, not inside quotes
    ("Ukraine says it will not cede land.\n\n“Russia must leave, Russia must pay, Russia must go,” Zelensky said.\n", "Russia must leave",
     ("Zelensky", ("UKR",))),
    # a state in another person's title is theirs; "Sisi" is "Abdel Fattah el-Sisi"
    ("The Egyptian presidency said that President Abdel Fattah el-Sisi and Qatar's Emir Sheikh Tamim bin Hamad Al Thani had discussed a truce.\n\n"
     "Sisi stressed “the need to stop the bloodshed,” the statement said.\n", "the need to stop", ("Abdel Fattah el-Sisi", ("EGY",))),
    # a national office with no state written: the one state named in the sentence before
    ("Qatar and Egypt mediated.\n\nIsrael's army said it had struck 100 targets. Defense Minister Yoav Gallant vowed to continue "
     "the offensive “until Hamas is destroyed.”\n", "until Hamas", ("Yoav Gallant", ("ISR",))),
    # "<acronym> commander NAME", "<State> Foreign Minister Prince NAME"
    ("The army and the Rapid Support Forces met in Jeddah.\n\nRSF commander Mohamed Hamdan Dagalo said his forces were committed to the deal.\n",
     "RSF commander", ("Mohamed Hamdan Dagalo", ("Rapid Support Forces",))),
    ("Saudi Foreign Minister Prince Faisal bin Farhan said the kingdom would continue its efforts.\n", "Saudi Foreign",
     ("Faisal bin Farhan", ("SAU",))),
    # capitals as metonyms
    ("Cairo and Addis Ababa traded accusations on Monday. Khartoum said it would stay neutral.\n",
     "Khartoum said", ("SDN", ("SDN",))),
]


@pytest.mark.parametrize("text, start, expected", CASES)
def test_news_attribution_patterns(text, start, expected):
    assert _who(draft_text(text), start) == expected


# Patterns of the second growth round of the development half (wire copy from Reuters, AFP, AP, PA,
# Anadolu, ...): each failed before its fix.
MORE_CASES = [
    # a lede describes the office-holder, the next sentence names them: the name takes the body
    ("The head of the World Health Organization on Monday said talks were close to a deal.\n\n"
     "Jane Okafor told reporters the remaining gaps were small.\n", "Jane Okafor told", ("Jane Okafor", ("WHO",))),
    ("Iran’s foreign minister said on Thursday that progress was made in “very difficult” talks.\n\n"
     "Abbas Karimi spoke after a meeting in Geneva.\n", "very difficult", ("Abbas Karimi", ("IRN",))),
    ("The head of the World Health Organization said talks were close.\n\nJane Okafor told reporters the gaps were small. "
     "The WHO chief said she would meet ministers.\n", "The WHO chief", ("Jane Okafor", ("WHO",))),
    # a straight quote closed by a curly one
    ('"It was decided to pause the talks,” said Russia’s representative Pavel Orlov.\n', "It was decided", ("Pavel Orlov", ("RUS",))),
    # "state media quoted him as saying"
    ("Turkey's envoy Selim Kaya said the meeting was useful.\n\n\"We will not accept delays,\" state media quoted him as saying.\n",
     "We will not accept", ("Selim Kaya", ("TUR",))),
    # a state's own body in a title ("... of Iran"), not the state the article names most
    ("The United States welcomed the talks. The US envoy was in Vienna.\n\n"
     "“Iran has accepted limits,” said Head of the Atomic Energy Organization of Iran Reza Tehrani.\n", "Iran has accepted", ("Reza Tehrani", ("IRN",))),
    # "spokesperson for President NAME" speaks for the president's state; "..., said NAME." after another name
    ("The United States and the UN joined the talks.\n\nSouth Africa “hopes for a lasting peace in Ethiopia,” said Thabo Nkosi, "
     "spokesperson for President Cyril Ramaphosa.\n\nThe talks are led by Kenya’s former leader Uhuru Kenyatta and Nigeria’s former "
     "president Olusegun Obasanjo, said Nkosi.\n", "The talks are led", ("Thabo Nkosi", ("ZAF",))),
    # "the AU said its chairman, NAME, was ...": the AU speaks
    ("The AU said its chairman, Moussa Faki, was “encouraged by the commitment of the parties”.\n", "encouraged", ("AU", ("AU",))),
    ("The African Union Commission said in a statement that observers would attend.\n", "The African Union Commission", ("AU", ("AU",))),
    # a body's possessive before a name
    ("The National Liberation Army (ELN) met the government.\n\n“We took the first steps,” the ELN’s Pablo Ruiz said on Friday.\n",
     "We took the first", ("Pablo Ruiz", ("ELN",))),
    # a participle after "while X denied it" is X's
    ("The National Liberation Army (ELN) met the government.\n\nColombia’s government announced a truce while the ELN denied it, "
     "saying a ceasefire “was merely a proposal to be considered”.\n", "was merely", ("ELN", ("ELN",))),
    # "citing"
    ("Argentina’s President Javier Milei exited the body, citing “profound differences”.\n", "profound", ("Javier Milei", ("ARG",))),
    # "NAME, of the advocacy group X, described ... as"
    ("Rachel Stone, of the advocacy group Ocean Futures Initiative, described the text as “a product of compromise”.\n", "a product",
     ("Rachel Stone", ("Ocean Futures Initiative",))),
    # short quotes inside what a closing "..., X said" reports
    ('Talks on a "broad majority" with the smaller parties will start on Monday, Johan Remkes said at a press conference.\n',
     "broad majority", ("Johan Remkes", ())),
    # "NAME (PARTY)"
    ('"We will wait for the proposals," said Jesse Klaver (GroenLinks) on Tuesday.\n', "We will wait", ("Jesse Klaver", ("GroenLinks",))),
    # a broadcaster closing the sentence only relays the person who said it
    ("Iranian Foreign Minister Mohammad Javad Zarif met his counterparts.\n\nBut Zarif said none of the parties wanted an extension, IRIB said.\n",
     "But Zarif", ("Mohammad Javad Zarif", ("IRN",))),
    # "the same sources", "diplomats in the EU", a passive agent
    ("European Union sources have said the meeting depends on the results.\n\nThe same sources have said they expect the parties "
     "to take the “European proposal” seriously.\n", "European proposal", ("european union sources", ("EU",))),
    ("This visit, according to diplomats in the EU, was meant to show support.\n", "This visit", ("diplomats in the eu", ("EU",))),
    ("This was confirmed on Monday by the spokesperson of the EU for Foreign Policy, Peter Stano.\n", "This was confirmed", ("Peter Stano", ("EU",))),
    # "the government" of the state the article is about, then its spokesperson
    ("Britain's health service faces a strike.\n\nThe government said the move was “surprising and deeply disappointing”.\n\n"
     "A spokesperson said: “We made a fair offer.”\n", "We made a fair", ("a spokesperson", ("GBR",))),
    ("The South African president’s spokesperson had announced that the talks opened on Tuesday.\n", "The South African",
     ("south african president’s spokesperson", ("ZAF",))),
    ("“We have asked for one day more,” negotiators for both sides said in a joint statement.\n", "We have asked",
     ("negotiators for both sides", ())),
    # the home state from demonyms when no state is named; "South American" is not the United States
    ("Colombian negotiators met in Havana.\n\nPresident Gustavo Petro later tweeted that he would oversee the closing day in the "
     "South American country.\n", "President Gustavo", ("Gustavo Petro", ("COL",))),
    ("The Colombian government and the rebels met. Chief government delegate Otty Patino said a ceasefire should mean fewer attacks.\n",
     "Chief government", ("Otty Patino", ("COL",))),
    ("WHO Director-General Tedros Adhanom Ghebreyesus heralded the deal, saying nations “can still work together”.\n", "can still",
     ("Tedros Adhanom Ghebreyesus", ("WHO",))),
]


# Patterns of the third growth round (articles measured before these rules existed).
MORE_CASES += [
    # a description with "to PLACE" in a lede; "the Swedish diplomat" when no Swede is named
    ("The UN envoy to Libya called on Monday for \"serious talks\" on the budget.\n\nAnna Lindqvist spoke in Tripoli.\n\n"
     "\"We need the parties to engage,\" the Swedish diplomat said.\n", "We need the parties", ("Anna Lindqvist", ("UN",))),
    ("The UN envoy to Libya called on Monday for \"serious talks\" on the budget.\n\nAnna Lindqvist spoke in Tripoli.\n", "serious talks",
     ("Anna Lindqvist", ("UN",))),
    # an opposition leader does not speak for the state
    ("Israel's Opposition Leader Benjamin Netanyahu called the deal “a historic surrender.”\n", "a historic",
     ("Benjamin Netanyahu", ())),
    # a national security adviser of the state named beside them
    ("National Security Advisor Eyal Hulata, who headed the Israeli team, said: “All our demands were met.”\n", "All our demands",
     ("Eyal Hulata", ("ISR",))),
    # "X who ... said" without commas
    ("A U.S. official who requested anonymity to discuss the talks said there was no “deal” with Caracas.\n", "deal",
     ("a u.s. official", ("USA",))),
    # a body's statement reads; a statement "saying"
    ("The Screen Producers Alliance issued a statement on Friday saying its members were “aligned”.\n\n"
     "“Any suggestion to the contrary is false,” the alliance’s statement read.\n", "aligned",
     ("Screen Producers Alliance", ("Screen Producers Alliance",))),
    # "the ministry said" after "Turkey's Defense Ministry said"
    ("Progress was made in the talks, Turkey's Defense Ministry said on Thursday.\n\nThe parties agreed to meet again, the ministry said.\n",
     "The parties agreed", ("TUR", ("TUR",))),
    # "the studio group said" after the group was named
    ("The Alliance of Film Producers did not respond.\n\n“We are eager to reach a fair deal,” the studio group said.\n", "We are eager",
     ("Alliance of Film Producers", ("Alliance of Film Producers",))),
    # an embassy "in Mexico" is Norway's, Mexico is where it is
    ("Talks will resume on Tuesday, Norway’s embassy in Mexico said on Monday.\n", "Talks will resume",
     ("norway’s embassy in mexico", ("NOR",))),
    # a closing attribution followed by "with reference to ..."
    ("The trade agreement (FTA) talks between India and the UK are \"progressing well\" and a deal that works for both sides is more "
     "important than the date when it is signed, Britain’s Trade Policy Minister Greg Hands said with reference to the abandoned "
     "Diwali deadline for a draft deal.\n",
     "progressing well", ("Greg Hands", ("GBR",))),
    # "the Writers Guild of America" is no body of the United States
    ("LOS ANGELES — The Writers Guild of America said it will meet the studios on Wednesday.\n", "LOS ANGELES",
     ("Writers Guild of America", ("Writers Guild of America",))),
]

# Patterns of the fourth growth round.
MORE_CASES += [
    # "NAME' spokesman" with the plain apostrophe
    ("U.N. Secretary-General Antonio Guterres met the two leaders.\n\n"
     "\"A clear understanding emerged,\" Guterres' spokesman said in a statement.\n", "A clear understanding", ("spokesman", ("UN",))),
    # "the federal jobs minister" in a lede, named in the next sentence
    ("Ottawa has changed the rules. Canada is watching.\n\nThe federal jobs minister is urging the union to respond to the latest offer.\n\n"
     "Patty Hajdu told reporters the parties must find a deal.\n", "Patty Hajdu told", ("Patty Hajdu", ("CAN",))),
    # a mixed-case dateline is a place, not the speaker
    ("Washington, Aug 16 (EFE).- The United States’s trade representative on Wednesday hailed the talks as historic, saying all "
     "three countries agreed.\n\nRobert Lighthizer made his remarks at a press conference.\n", "Washington, Aug 16",
     ("Robert Lighthizer", ("USA",))),
    # a coordinated predicate: "He gave no details, but said"
    ("U.N. Secretary-General Antonio Guterres arrived on Friday.\n\nHe gave no details, but said in a statement that he had held a "
     "\"positive, results-oriented\" meeting.\n", "positive", ("Antonio Guterres", ("UN",))),
]

# Patterns found by the fifth batch (scored once before these fixes).
MORE_CASES += [
    ("Talks ended in Istanbul.\n\nHead of the Ukrainian delegation Rustem Umerov called the deal “the key outcome of the meeting.”\n",
     "the key outcome", ("Rustem Umerov", ("UKR",))),
    ("The dictator of Venezuela, Nicolás Maduro, said the meeting with the president of Guyana, Irfaan Ali, in Guyana and Guyana was a "
     "“historical milestone”.\n", "historical milestone", ("Nicolás Maduro", ("VEN",))),
]

# Patterns the sixth batch showed (written sentences of the same shapes).
MORE_CASES += [
    # quote then "said <lower-case role> <Name>": the role is part of the speaker, "union" points to the union named before
    ("The Brewers Union rejected the offer.\n\n“This is not a deal we celebrate,” said union negotiator Anna Keller.\n", "This is not",
     ("Anna Keller", ("Brewers Union",))),
    ("“We need lower prices,” said party leader Anna Keller.\n", "We need lower", ("Anna Keller", ())),
    # a name before a lower-case "union" is the union's name, and a role after that name is of the union
    ("The Ostwerk union and the employers reached a deal.\n\n“We need lower prices,” said Ostwerk leader Anna Keller.\n", "We need lower",
     ("Anna Keller", ("Ostwerk",))),
    ("The United Steelworkers union rejected the offer. “It is an insult,” the union said.\n", "It is an insult",
     ("United Steelworkers", ("United Steelworkers",))),
    # "NAME, <owner of two words>'s <hyphenated title>, said that “...”", and "he said" after it; a word before a state's name is a firm
    ("In an interview, Jean Roux, Air Canada's vice-president of communications, said that \"there is a huge gap.\"\n\n"
     "\"We offered more,\" he said.\n", "We offered more", ("Jean Roux", ("Air Canada",))),
    ("In an interview, Jean Roux, Air Canada's vice-president of communications, said that \"there is a huge gap.\"\n", "there is a huge",
     ("Jean Roux", ("Air Canada",))),
    ("Jean Roux, New Zealand's vice-president of the council, said that \"there is a huge gap.\"\n", "there is a huge", ("Jean Roux", ("NZL",))),
    # "said NAME, <State>'s <Capitalised Office>": the state's office
    ("“These talks are important,” said Omar Hadi Rana, Pakistan’s Indus Water Commissioner.\n", "These talks", ("Omar Hadi Rana", ("PAK",))),
    # "echoed" reports what was said
    ("Anna Keller, president of the Brewers Union, echoed the minister's comments.\n", "Anna Keller", ("Anna Keller", ("Brewers Union",))),
    # a named speaker with no body, described later as "the <organisation> leader", speaks for it (also in the quotes before)
    ("“We jumped over our shadows,” says Karl Huber, explaining the end of the coalition talks.\n\n"
     "“It is out of the question,” said Huber. The ÖVP leader said that the talks had failed.\n", "We jumped", ("Karl Huber", ("ÖVP",))),
    # "NAME <verb>ed OBJECT and said": the object is no speaker; fragments in single curly quotes
    ("Thailand’s acting prime minister Anutin Charoen thanked Trump and said Thailand ‘agrees in principle to a ceasefire’ but ‘wants "
     "sincere intentions’.\n", "agrees in principle", ("Anutin Charoen", ("THA",))),
    # "the California Republican said" after a named speaker: that speaker, of the Republicans (a US state before the party noun)
    ("Speaker Jim Barlow said there was no deal.\n\n“I think the tone was better,” the Ohio Republican said.\n", "I think the tone",
     ("Jim Barlow", ("Republicans",))),
    # "STATE is seeking ...": the state that opens the sentence holds the position
    ("Norway is seeking a deal with the EU before the quota expires.\n", "Norway is seeking", ("NOR", ("NOR",))),
    # "A and B said": a joint statement of two people, written as both, for no one body when theirs differ
    ("Kenya was represented by Trade Secretary Betty Achieng. The US side was led by Ambassador Tom Reilly.\n\n"
     "“We believe this deal will help the region,” Achieng and Reilly said in the statement.\n", "We believe", ("achieng and reilly", ())),
    # "<body> <title>, NAME was also upbeat: “...”" and "NAME, executive VP at <body>, said she was satisfied with the deal: “...”"
    ("The Maritime Union of Australia (MUA) and the employer reached a deal.\n\n"
     "MUA assistant national secretary, Adrian Evans was also upbeat: “Wharfies are amongst the hardest working.”\n", "Wharfies",
     ("Adrian Evans", ("MUA",))),
    ("Anna Keller, executive VP at the World Bank, said she was satisfied with the deal: “This agreement is a testament to our work.”\n",
     "This agreement", ("Anna Keller", ("WB",))),
    # a name with joined initials ("P.K. NAME") is a person, and its initials end no sentence; "a letter by NAME in which he proposed"
    ("The talks matter because of a letter by Indian Water Commissioner R.S. Mehra in which he proposed to discuss the dams.\n",
     "The talks matter", ("R.S. Mehra", ("IND",))),
    # but a nationality in the description is no body spoken for
    ("“We jumped over our shadows,” says Karl Huber, explaining the end of the talks.\n\n"
     "“It is out of the question,” the Swedish diplomat said.\n", "It is out", ("Karl Huber", ())),
]


def test_a_party_noun_after_no_us_state_names_no_us_party():
    draft = draft_text("Speaker Jim Barlow said there was no deal.\n\n“I think the tone was better,” the Christian Democrat said.\n")
    assert not {"Democrats", "Republicans"} & {b.id for b in draft.cast.actors_named()}


def test_a_demonym_before_union_names_no_organisation():
    draft = draft_text("The German union rejected the offer.\n")
    assert "German" not in {b.id for b in draft.cast.actors_named()}


def test_a_state_after_a_sentences_first_word_or_a_title_stays_the_state():
    draft = draft_text("Meanwhile Canada said it would wait. Talks with Prime Minister Canada were not held. Although Canada agreed, Mexico did not.\n")
    assert {b.id for b in draft.cast.actors_named()} == {"CAN", "MEX"}
    draft = draft_text("The fighting in Eastern Ukraine went on, and Communist China said it would mediate.\n")
    assert {b.id for b in draft.cast.actors_named()} == {"UKR", "CHN"}


def test_government_and_executive_are_no_organisations_of_their_own():
    draft = draft_text("The talks are in an early phase, according to Executive sources. The acting president of the Government, "
                       "Pedro Sánchez, said: “There will be a progressive Government.”\n")
    assert not {"Government", "Executive"} & {b.id for b in draft.cast.actors_named()}


@pytest.mark.parametrize("text, start, expected", MORE_CASES)
def test_more_news_attribution_patterns(text, start, expected):
    assert _who(draft_text(text), start) == expected


def test_a_quote_over_two_paragraphs_keeps_the_speaker_named_after_it():
    draft = draft_text("“This was a useful meeting.\n\n“We will press for a higher quota,” Fisheries Minister Pat Byrne of Ireland said.\n")
    assert [s.speaker.key if s.speaker else None for s in draft.quotes] == ["Pat Byrne", "Pat Byrne"]


def test_capitals_and_demonyms_come_from_country_data():
    draft = draft_text("Cairo, Addis Ababa and Khartoum sent delegations; Sudanese and Ethiopian officials met in Kinshasa.\n")
    named = {b.id for b in draft.cast.actors_named()}
    assert {"EGY", "ETH", "SDN"} <= named and "COD" not in named  # Kinshasa after "in" is a place


def test_it_said_after_no_body_is_left_unattributed():
    draft = draft_text("Talks resumed in Geneva on Monday. A report on the dam was published.\n\nIt said the reservoir was full.\n")
    assert [s.speaker for s in draft.statements if s.sentence.text.startswith("It said")] in ([], [None])


def test_the_last_word_of_a_body_name_is_no_person():
    draft = draft_text("A spokesperson for the Department of Health said the offer was fair.\n")
    assert "Health" not in draft.cast.people
    assert all(s.speaker is None or s.speaker.key != "Health" for s in draft.statements)


def test_a_participle_with_its_own_subject_is_not_the_sentences_subject_speaking():
    draft = draft_text("Britain and the European Union remained deadlocked on Friday, with both sides warning that time was short.\n")
    assert [s.speaker for s in draft.statements if s.kind == "reported"] == []


def test_a_dateline_city_in_capitals_is_no_organisation_and_an_acronym_before_adviser_is():
    draft = draft_text("GENEVA (AP) — The paramilitary Rapid Support Forces sent a delegation to the talks.\n\n"
                       "An RSF adviser said the group was committed to a ceasefire.\n")
    assert "GENEVA" not in {b.id for b in draft.cast.actors_named()}
    assert _who(draft, "An RSF adviser") == ("an rsf adviser", ("Rapid Support Forces",))


def test_a_states_union_is_not_the_state():
    draft = draft_text("Britain's biggest nursing union said on Friday its members had rejected the offer.\n")
    assert all(s.speaker is None or "GBR" not in [b.id for b in s.speaker.bodies] for s in draft.statements)


def test_a_dateline_state_is_still_an_actor_named():
    draft = draft_text("BAKU, Azerbaijan (AP) — Negotiators were handed a new draft deal on Friday.\n")
    assert "AZE" in {b.id for b in draft.cast.actors_named()}
