"""Understanding a message: language, keyword lexicons, intents, slots."""
