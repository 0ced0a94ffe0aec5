package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Expected ids from Python: int.from_bytes(hashlib.sha256(id.encode()).digest()[:8], "big") % 10 == 0. */
class DocumentSplitTest {
    @Test
    void heldOutIdsAreThoseWhoseHashIsZeroModTen() {
        List<String> heldOut = IntStream.rangeClosed(1, 40)
                .mapToObj(i -> "europarl/" + i)
                .filter(DocumentSplit::heldOut)
                .toList();
        assertThat(heldOut).containsExactly("europarl/15", "europarl/24", "europarl/25");
    }

    @Test
    void aboutOneEuroparlDocumentInTenIsHeldOut() {
        long n = IntStream.rangeClosed(1, 17_597)
                .filter(i -> DocumentSplit.heldOut("europarl/" + i))
                .count();
        assertThat(n).isEqualTo(1779);
    }

    @Test
    void aDocumentWithoutAnIdCannotBeAssigned() {
        assertThatThrownBy(() -> DocumentSplit.heldOut(null)).hasMessageContaining("needs an id");
    }
}
