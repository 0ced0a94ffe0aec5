package dev.saestream.label;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Tokens of a chat call as OpenAI counts them for its current models: tiktoken's o200k encoding,
 * each message's tokens plus 3, plus 3 to prime the reply. Other providers' tokenizers differ by a
 * few percent; the JSON schema sent with the call is not counted.
 */
final class PromptTokens {
    private static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private static final int PER_MESSAGE = 3;
    private static final int REPLY_PRIMER = 3;

    private PromptTokens() {}

    /** Input tokens of {@code prompt}: its system and user messages. */
    static long input(LlmClient.Prompt prompt) {
        return O200K.countTokensOrdinary(prompt.system())
                + PER_MESSAGE
                + O200K.countTokensOrdinary(prompt.user())
                + PER_MESSAGE
                + REPLY_PRIMER;
    }

    /** Output tokens of an answer. */
    static long output(String answer) {
        return O200K.countTokensOrdinary(answer);
    }
}
