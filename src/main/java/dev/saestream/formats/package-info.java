/**
 * File and value formats shared with other tools: NumPy's {@code .npy}, Hugging Face's
 * safetensors, and the one JSON mapper every topic value and file uses ({@link
 * dev.saestream.formats.Json}). Depends on nothing else in saestream.
 */
package dev.saestream.formats;
