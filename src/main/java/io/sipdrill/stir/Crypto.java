package io.sipdrill.stir;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** Bouncy Castle, used directly (not registered globally): ES256 about 13 times faster than the JDK's. */
final class Crypto {
    private static final Provider BC = new BouncyCastleProvider();

    private Crypto() { }

    static Provider provider() {
        return BC;
    }
}
