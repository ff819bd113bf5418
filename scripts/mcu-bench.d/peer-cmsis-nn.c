/* The CMSIS-NN peer of scripts/mcu-bench: instructions per time step of
 *   - arm_lstm_unidirectional_s8, an int8 LSTM of PEER_FEATURES inputs and PEER_HIDDEN units,
 *     called once per sequence of PEER_STEPS steps with the state kept (hidden_state given, so
 *     every step, the first included, does both the input and the recurrent products), and
 *   - the int8 matrix-vector products alone that one GRU step needs: three of H x F and three of
 *     H x H, with arm_nn_vec_mat_mult_t_s8 (requantized to int8 like CMSIS-NN's fully connected).
 *
 * Weights, biases and inputs are pseudo-random int8 from a fixed seed, and the requantization
 * parameters are those of CMSIS-NN's own unit test lstm_1 (Tests/UnitTest/TestCases/TestData):
 * CMSIS-NN's kernels run nearly the same instructions whatever the values (the loops depend on
 * the shapes only; the activations are table look-ups): three seeds (-DPEER_SEED) agree within
 * 0.05 %, so these are the counts of a trained model of the same shape to within a few branches.
 *
 * Timed like bench.c: each kernel is run twice by the same noipa routine, once for real and once
 * as an empty function of the same signature, and the difference of ticks is the kernel's work.
 * Prints "calibration ...", "lstm TICKS EMPTY_TICKS STEPS", "matvec TICKS EMPTY_TICKS STEPS",
 * "done". */
#include <stdio.h>
#include <string.h>
#include "arm_nnfunctions.h"
#include "arm_nnsupportfunctions.h"
#include "known.h"

#define F PEER_FEATURES
#define H PEER_HIDDEN
#define T PEER_STEPS
#define SEQUENCES 8       /* LSTM calls of T steps */
#define GRU_STEPS 100     /* steps of six matrix-vector products */

/* lstm_1's quantization (CMSIS-NN Tests/UnitTest/TestCases/TestData/lstm_1/config_data.h). */
#define INPUT_ZERO_POINT 128
#define OUTPUT_ZERO_POINT 1

typedef arm_cmsis_nn_status lstm_fn(const int8_t *input, int8_t *output, const cmsis_nn_lstm_params *params,
                                    cmsis_nn_lstm_context *buffers);
typedef arm_cmsis_nn_status vec_mat_fn(const int8_t *lhs, const int8_t *rhs, const int32_t *kernel_sum,
                                       const int32_t *bias, int8_t *dst, const int32_t lhs_offset,
                                       const int32_t dst_offset, const int32_t dst_multiplier,
                                       const int32_t dst_shift, const int32_t rhs_cols, const int32_t rhs_rows,
                                       const int32_t activation_min, const int32_t activation_max,
                                       const int32_t address_offset, const int32_t rhs_offset);

/* peer-empty.c and known.S: separate objects, so every call is a real call. */
arm_cmsis_nn_status empty_lstm(const int8_t *input, int8_t *output, const cmsis_nn_lstm_params *params,
                               cmsis_nn_lstm_context *buffers);
arm_cmsis_nn_status empty_vec_mat(const int8_t *lhs, const int8_t *rhs, const int32_t *kernel_sum,
                                  const int32_t *bias, int8_t *dst, const int32_t lhs_offset,
                                  const int32_t dst_offset, const int32_t dst_multiplier, const int32_t dst_shift,
                                  const int32_t rhs_cols, const int32_t rhs_rows, const int32_t activation_min,
                                  const int32_t activation_max, const int32_t address_offset,
                                  const int32_t rhs_offset);

/* LSTM gates in CMSIS-NN's order of use: forget, input, cell, output. */
static int8_t input_weights[4][H * F], hidden_weights[4][H * H];
static int32_t biases[4][H], input_sums[4][H], hidden_sums[4][H];
static int8_t inputs[SEQUENCES * T * F], outputs[T * H], hidden_state[H];
static int16_t cell_state[H], temp1[H], temp2[H];
static int8_t gru_h[H], gru_out[6][H];

#ifndef PEER_SEED
#define PEER_SEED 12345u
#endif
static uint32_t seed = PEER_SEED;
static int8_t random_int8(void) {
    seed = seed * 1664525u + 1013904223u;  /* Numerical Recipes' LCG */
    return (int8_t)(seed >> 24);
}

static uint64_t __attribute__((noipa)) run_lstm(lstm_fn *lstm, const cmsis_nn_lstm_params *params) {
    cmsis_nn_lstm_context buffers = {temp1, temp2, cell_state, hidden_state};
    timer_laps t;
    int i;
    timer_begin(&t);
    for (i = 0; i < SEQUENCES; i++) {
        /* A new sequence: hidden state at the output zero point (real 0), cell state 0. */
        memset(hidden_state, OUTPUT_ZERO_POINT, sizeof hidden_state);
        memset(cell_state, 0, sizeof cell_state);
        timer_lap(&t);
        lstm(&inputs[i * T * F], outputs, params, &buffers);
        timer_lap(&t);
    }
    return t.ticks;
}

/* One GRU step's products: W_ir x, W_iz x, W_in x (H x F) and W_hr h, W_hz h, W_hn h (H x H). */
static uint64_t __attribute__((noipa)) run_gru_products(vec_mat_fn *product) {
    timer_laps t;
    int k, g;
    timer_begin(&t);
    for (k = 0; k < GRU_STEPS; k++) {
        const int8_t *x = &inputs[(k % (SEQUENCES * T)) * F];
        for (g = 0; g < 3; g++)
            product(x, input_weights[g], input_sums[g], biases[g], gru_out[g], INPUT_ZERO_POINT, 0,
                    1080990464, -2, F, H, -128, 127, 1, 0);
        for (g = 0; g < 3; g++)
            product(gru_h, hidden_weights[g], hidden_sums[g], biases[g], gru_out[3 + g], -OUTPUT_ZERO_POINT, 0,
                    1584295680, -2, H, H, -128, 127, 1, 0);
        timer_lap(&t);
    }
    return t.ticks;
}

int main(void) {
    static const int32_t input_multipliers[4] = {1084475904, 1080990464, 1082850560, 1080487424};
    static const int32_t hidden_multipliers[4] = {1591598720, 1584295680, 1599350272, 1611693952};
    cmsis_nn_lstm_gate gates[4];
    cmsis_nn_lstm_params params;
    uint64_t real, empty;
    int g, i;

    for (g = 0; g < 4; g++) {
        for (i = 0; i < H * F; i++) input_weights[g][i] = random_int8();
        for (i = 0; i < H * H; i++) hidden_weights[g][i] = random_int8();
        for (i = 0; i < H; i++) biases[g][i] = random_int8() * 64;
        /* The effective biases, as CMSIS-NN's unit test computes them. */
        arm_vector_sum_s8(input_sums[g], F, H, input_weights[g], INPUT_ZERO_POINT, 0, biases[g]);
        arm_vector_sum_s8(hidden_sums[g], H, H, hidden_weights[g], -OUTPUT_ZERO_POINT, 0, NULL);
        gates[g].input_multiplier = input_multipliers[g];
        gates[g].input_shift = -2;
        gates[g].input_weights = input_weights[g];
        gates[g].input_effective_bias = input_sums[g];
        gates[g].hidden_multiplier = hidden_multipliers[g];
        gates[g].hidden_shift = -2;
        gates[g].hidden_weights = hidden_weights[g];
        gates[g].hidden_effective_bias = hidden_sums[g];
        gates[g].bias = biases[g];
        gates[g].activation_type = g == 2 ? ARM_TANH : ARM_SIGMOID;
    }
    for (i = 0; i < (int)sizeof inputs; i++) inputs[i] = random_int8();
    for (i = 0; i < H; i++) gru_h[i] = random_int8();

    params.time_major = 1;
    params.batch_size = 1;
    params.time_steps = T;
    params.input_size = F;
    params.hidden_size = H;
    params.input_offset = INPUT_ZERO_POINT;
    params.forget_to_cell_multiplier = 1073741824;
    params.forget_to_cell_shift = -14;
    params.input_to_cell_multiplier = 1073741824;
    params.input_to_cell_shift = -15;
    params.cell_clip = 32767;
    params.cell_scale_power = -14;
    params.output_multiplier = 1441324494;
    params.output_shift = -22;
    params.output_offset = OUTPUT_ZERO_POINT;
    params.forget_gate = gates[0];
    params.input_gate = gates[1];
    params.cell_gate = gates[2];
    params.output_gate = gates[3];

    timer_start();
    empty = run_known(known_nops_0);
    real = run_known(known_nops_400);
    printf("calibration %llu %llu %d %d\n", (unsigned long long)real, (unsigned long long)empty,
           KNOWN_CALLS, KNOWN_INSTRUCTIONS);
    empty = run_lstm(empty_lstm, &params);
    real = run_lstm(arm_lstm_unidirectional_s8, &params);
    printf("lstm %llu %llu %d\n", (unsigned long long)real, (unsigned long long)empty, SEQUENCES * T);
    empty = run_gru_products(empty_vec_mat);
    real = run_gru_products(arm_nn_vec_mat_mult_t_s8);
    printf("matvec %llu %llu %d\n", (unsigned long long)real, (unsigned long long)empty, GRU_STEPS);
    /* A checksum of the outputs, so that a kernel computing nothing would show. */
    {
        int32_t sum = 0;
        for (i = 0; i < T * H; i++) sum += outputs[i];
        for (i = 0; i < 6 * H; i++) sum += gru_out[i / H][i % H];
        printf("checksum %ld\n", (long)sum);
    }
    printf("done\n");
    return 0;
}
