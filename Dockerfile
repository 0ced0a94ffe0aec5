# saestream as a container image: built from this repository, run by docker-compose.yml.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src ./src
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/target/saestream.jar /app/saestream.jar
COPY --from=build /src/target/lib /app/lib
COPY config /app/config
COPY topics /app/topics
COPY saes /app/saes
ENV SAESTREAM_JAVA_OPTS="-Xmx4g"
ENTRYPOINT ["sh", "-c", "exec java $SAESTREAM_JAVA_OPTS -Dai.djl.offline=true -Dsaestream.home=/app -jar /app/saestream.jar \"$@\"", "saestream"]
