package io.llmft.dataset.config;

import io.llmft.common.net.HostResolver;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The system's DNS resolver for the download policy. */
@Singleton
public class SystemResolver {
  @Produces
  @Singleton
  HostResolver hostResolver() {
    return HostResolver.SYSTEM;
  }
}
