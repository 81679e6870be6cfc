"""The Rasa NLU project and the bot's client for it.

Kept free of imports: the Rasa environment imports ``nlu.tokenizer`` from here.
"""
