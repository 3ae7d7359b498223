package io.llmft.common.security;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Optional;

/**
 * Static API keys (env {@code API_KEYS}: comma-separated {@code role:key} pairs, e.g. {@code
 * operator:...,viewer:...}), read from a secret. Unset, and without a JWT issuer ({@code
 * mp.jwt.verify.*}), every endpoint but {@code /q/health} refuses every caller.
 */
@ConfigMapping(prefix = "api")
public interface ApiKeysConfig {
  Optional<List<String>> keys();
}
