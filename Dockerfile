# Build: the same command as the README's, in a Maven image.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY application.properties .
RUN mvn -B -q -DskipTests package

# Run: a JRE, a non-root user, and a working directory that holds routes/ and application.properties, so
# either can be mounted over (-v ./routes:/app/routes). The embedded database keeps its data in /app/data:
# mount a volume there, or set BRIDGE_DB_URL to a PostgreSQL server.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /home/bridge bridge
WORKDIR /app
COPY --from=build /src/target/goto-mautic-bridge.jar /opt/bridge/goto-mautic-bridge.jar
COPY routes routes
COPY application.properties .
RUN mkdir data && chown bridge:bridge data
USER bridge
VOLUME /app/data
EXPOSE 8080
ENV JAVA_OPTS=""
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/bridge/goto-mautic-bridge.jar \"$@\"", "--"]
CMD ["run"]
