package dev.saestream.catalog;

import dev.saestream.encode.ReconstructionStats;
import dev.saestream.formats.BinaryReader;
import dev.saestream.formats.BinaryWriter;

/**
 * What one SAE's catalogue has seen in total. Every shard counts every document and token (they
 * are the density denominator); reconstruction sums are kept by shard 0 only.
 *
 * @param saeId        the SAE
 * @param documents    documents seen
 * @param tokens       tokens seen
 * @param recon        summed reconstruction statistics (empty on shards other than 0)
 */
public record CatalogTotals(String saeId, long documents, long tokens, ReconstructionStats recon) {
    public CatalogTotals {
        recon = recon == null ? ReconstructionStats.NONE : recon;
    }

    /** Adds a document's delta; its documents and tokens only when {@code countTokens}. */
    CatalogTotals plus(ShardDelta d, boolean countTokens) {
        ReconstructionStats r = recon;
        if (d.recon() != null) {
            ReconstructionStats x = d.recon();
            r = new ReconstructionStats(
                    r.tokens() + x.tokens(),
                    r.squaredError() + x.squaredError(),
                    r.squaredNorm() + x.squaredNorm(),
                    r.cosineSum() + x.cosineSum(),
                    r.clamped() + x.clamped());
        }
        return countTokens
                ? new CatalogTotals(saeId, documents + 1, tokens + d.tokens(), r)
                : new CatalogTotals(saeId, documents, tokens, r);
    }

    /** Sums two shards' views: documents and tokens are the same on every shard, so take the larger. */
    public CatalogTotals merge(CatalogTotals o) {
        ReconstructionStats a = recon;
        ReconstructionStats b = o.recon;
        return new CatalogTotals(
                saeId, Math.max(documents, o.documents), Math.max(tokens, o.tokens), a.tokens() >= b.tokens() ? a : b);
    }

    byte[] write() {
        return new BinaryWriter(64)
                .u8(1)
                .string(saeId)
                .varlong(documents)
                .varlong(tokens)
                .varint(recon.tokens())
                .f64(recon.squaredError())
                .f64(recon.squaredNorm())
                .f64(recon.cosineSum())
                .varint(recon.clamped())
                .toByteArray();
    }

    static CatalogTotals read(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        if (r.u8() != 1) {
            throw new IllegalArgumentException("unsupported totals version");
        }
        return new CatalogTotals(
                r.string(),
                r.varlong(),
                r.varlong(),
                new ReconstructionStats(r.varint(), r.f64(), r.f64(), r.f64(), r.varint()));
    }
}
