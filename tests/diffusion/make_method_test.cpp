// make_method: names map to the right method and settings; unknown names fail with the allowed ones.
#include <gtest/gtest.h>

#include "retrain/core/errors.hpp"
#include "retrain/diffusion/make_method.hpp"

namespace retrain {
namespace {

// The UsageError message of make_method(o), or "" when it succeeds.
std::string error_of(const MethodOptions& o) {
  try {
    make_method(o);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(MakeMethod, BuildsEachMethodWithItsSamplerAndSteps) {
  MethodOptions o;
  o.method = "ddpm";
  o.sampler = "ddim";
  o.steps = 25;
  auto ddpm = std::dynamic_pointer_cast<DdpmMethod>(make_method(o));
  ASSERT_TRUE(ddpm);
  EXPECT_EQ(ddpm->options().sampler, DdpmSampler::ddim);
  EXPECT_EQ(ddpm->options().ddim_steps, 25);

  o = {};
  o.method = "edm";
  o.sampler = "euler";
  o.steps = 30;
  o.edm.sigma_data = 1.0;
  auto edm = std::dynamic_pointer_cast<EdmMethod>(make_method(o));
  ASSERT_TRUE(edm);
  EXPECT_EQ(edm->options().sampler, EdmSampler::euler);
  EXPECT_EQ(edm->options().num_steps, 30);
  EXPECT_EQ(edm->options().sigma_data, 1.0);

  o = {};
  o.method = "cfm";
  o.sampler = "heun";
  o.coupling = "minibatch_ot";
  auto cfm = std::dynamic_pointer_cast<FlowMatchingMethod>(make_method(o));
  ASSERT_TRUE(cfm);
  EXPECT_EQ(cfm->options().sampler, FlowSampler::heun);
  EXPECT_EQ(cfm->options().coupling, FlowCoupling::minibatch_ot);
  EXPECT_EQ(cfm->options().num_steps, FlowMatchingOptions{}.num_steps);
}

TEST(MakeMethod, DdpmVarianceIsSelectedByName) {
  MethodOptions o;
  o.method = "ddpm";
  o.variance = "fixed_small";
  auto ddpm = std::dynamic_pointer_cast<DdpmMethod>(make_method(o));
  ASSERT_TRUE(ddpm);
  EXPECT_EQ(ddpm->options().variance, DdpmVariance::fixed_small);
}

TEST(MakeMethod, UnknownNamesListTheAllowedOnes) {
  MethodOptions o;
  o.method = "vdm";
  EXPECT_EQ(error_of(o), "unknown diffusion method 'vdm'; expected one of: ddpm, edm, cfm");
  o.method = "edm";
  o.sampler = "dpm2";
  EXPECT_EQ(error_of(o), "unknown EDM sampler 'dpm2'; expected one of: heun, euler");
  o = {};
  o.method = "cfm";
  o.coupling = "sinkhorn";
  EXPECT_EQ(error_of(o), "unknown flow matching coupling 'sinkhorn'; expected one of: independent, minibatch_ot");
}

TEST(MakeMethod, RejectsSettingsThatDoNotApply) {
  MethodOptions o;
  o.method = "edm";
  o.coupling = "minibatch_ot";
  EXPECT_NE(error_of(o).find("does not apply"), std::string::npos);
  o = {};
  o.method = "ddpm";
  o.steps = 100;  // ancestral sampling always takes all T steps
  EXPECT_NE(error_of(o).find("ddim"), std::string::npos);
  o = {};
  o.steps = -1;
  EXPECT_NE(error_of(o).find("-1"), std::string::npos);
}

}  // namespace
}  // namespace retrain
